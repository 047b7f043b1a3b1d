/* Reads n and n ints, calls max_subarray, prints the result.
   Built with -DPERFFORGE_EMPTY for the calibrated empty run: same input work, no call. */
#include <stdio.h>
#include <stdlib.h>

long long max_subarray(const int *a, int n);

int main(void) {
    int n;
    if (scanf("%d", &n) != 1 || n < 1) return 1;
    int *a = malloc((size_t)n * sizeof *a);
    for (int i = 0; i < n; i++)
        if (scanf("%d", &a[i]) != 1) return 1;
#ifndef PERFFORGE_EMPTY
    printf("%lld\n", max_subarray(a, n));
#endif
    free(a);
    return 0;
}
