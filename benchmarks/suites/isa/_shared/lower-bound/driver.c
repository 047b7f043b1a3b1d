/* Input: a count k, then k cases "n q", n sorted ints, q keys.  Prints lower_bound per key. */
#include <stdio.h>
#include <stdlib.h>

long lower_bound(const int *a, long n, int key);

int main(void)
{
    int k;
    if (scanf("%d", &k) != 1)
        return 1;
    for (int i = 0; i < k; i++) {
        long n, q;
        if (scanf("%ld %ld", &n, &q) != 2 || n < 0 || q < 0)
            return 1;
        int *a = malloc(((size_t)n + 1) * sizeof *a);
        for (long j = 0; j < n; j++)
            if (scanf("%d", &a[j]) != 1)
                return 1;
        for (long j = 0; j < q; j++) {
            int key;
            if (scanf("%d", &key) != 1)
                return 1;
            printf("%ld\n", lower_bound(a, n, key));
        }
        free(a);
    }
    return 0;
}
