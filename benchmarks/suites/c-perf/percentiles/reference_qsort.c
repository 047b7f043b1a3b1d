#include <stdio.h>
#include <stdlib.h>

static const int PERCENTS[] = {0, 25, 50, 75, 90, 99, 100};

static int by_value(const void *x, const void *y) {
    int a = *(const int *)x, b = *(const int *)y;
    return (a > b) - (a < b);
}

int main(void) {
    int n;
    if (scanf("%d", &n) != 1 || n < 1) return 1;
    int *a = malloc((size_t)n * sizeof *a);
    if (!a) return 1;
    for (int i = 0; i < n; i++)
        if (scanf("%d", &a[i]) != 1) return 1;
    qsort(a, (size_t)n, sizeof *a, by_value);
    for (size_t i = 0; i < sizeof PERCENTS / sizeof *PERCENTS; i++) {
        long long p = PERCENTS[i];
        long long rank = (p * n + 99) / 100;
        if (rank < 1) rank = 1;
        printf("P%lld %d\n", p, a[rank - 1]);
    }
    free(a);
    return 0;
}
