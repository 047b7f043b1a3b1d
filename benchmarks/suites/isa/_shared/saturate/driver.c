/* Input: a count k, then k arrays "n a0 .. a(n-1)" of int16 values.  Prints the saturating sum of each. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int16_t saturating_sum(const int16_t *a, int n);

int main(void)
{
    int k;
    if (scanf("%d", &k) != 1)
        return 1;
    for (int i = 0; i < k; i++) {
        int n;
        if (scanf("%d", &n) != 1 || n < 0)
            return 1;
        int16_t *a = malloc(((size_t)n + 1) * sizeof *a);
        for (int j = 0; j < n; j++) {
            int v;
            if (scanf("%d", &v) != 1)
                return 1;
            a[j] = (int16_t)v;
        }
        printf("%d\n", saturating_sum(a, n));
        free(a);
    }
    return 0;
}
