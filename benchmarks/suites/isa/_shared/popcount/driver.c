/* Input: a count k, then k unsigned 64-bit numbers.  Prints each one's number of set bits. */
#include <stdio.h>

int popcount_loop(unsigned long x);

int main(void)
{
    int k;
    if (scanf("%d", &k) != 1)
        return 1;
    for (int i = 0; i < k; i++) {
        unsigned long x;
        if (scanf("%lu", &x) != 1)
            return 1;
        printf("%d\n", popcount_loop(x));
    }
    return 0;
}
