/* Input: a count k, then k pairs "a b" of unsigned 64-bit numbers.  Prints gcd(a, b) per pair. */
#include <stdio.h>

unsigned long gcd(unsigned long a, unsigned long b);

int main(void)
{
    int k;
    if (scanf("%d", &k) != 1)
        return 1;
    for (int i = 0; i < k; i++) {
        unsigned long a, b;
        if (scanf("%lu %lu", &a, &b) != 2)
            return 1;
        printf("%lu\n", gcd(a, b));
    }
    return 0;
}
