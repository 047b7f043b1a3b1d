/* Greatest common divisor by Euclid's algorithm; gcd(0, 0) is 0. */
unsigned long gcd(unsigned long a, unsigned long b)
{
    while (b != 0) {
        unsigned long t = a % b;
        a = b;
        b = t;
    }
    return a;
}
