/* Input: a count k, then k arrays, each "n a0 .. a(n-1)" (n may be 0).  Prints argmax per array. */
#include <stdio.h>
#include <stdlib.h>

int argmax(const int *a, int n);

int main(void)
{
    int k;
    if (scanf("%d", &k) != 1)
        return 1;
    for (int i = 0; i < k; i++) {
        int n;
        if (scanf("%d", &n) != 1 || n < 0)
            return 1;
        int *a = malloc(((size_t)n + 1) * sizeof *a);
        for (int j = 0; j < n; j++)
            if (scanf("%d", &a[j]) != 1)
                return 1;
        printf("%d\n", argmax(a, n));
        free(a);
    }
    return 0;
}
