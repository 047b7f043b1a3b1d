/* Number of set bits, one cleared per round (Kernighan). */
int popcount_loop(unsigned long x)
{
    int n = 0;
    while (x != 0) {
        x &= x - 1;
        n++;
    }
    return n;
}
