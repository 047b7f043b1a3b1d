#include <stdio.h>
#include <stdlib.h>

static const int PERCENTS[] = {0, 25, 50, 75, 90, 99, 100};

int main(void) {
    int n;
    if (scanf("%d", &n) != 1 || n < 1) return 1;
    int *a = malloc((size_t)n * sizeof *a);
    if (!a) return 1;
    for (int i = 0; i < n; i++)
        if (scanf("%d", &a[i]) != 1) return 1;
    /* insertion sort */
    for (int i = 1; i < n; i++) {
        int v = a[i], j = i - 1;
        while (j >= 0 && a[j] > v) {
            a[j + 1] = a[j];
            j--;
        }
        a[j + 1] = v;
    }
    for (size_t i = 0; i < sizeof PERCENTS / sizeof *PERCENTS; i++) {
        long long p = PERCENTS[i];
        long long rank = (p * n + 99) / 100; /* ceil(p * n / 100) */
        if (rank < 1) rank = 1;
        printf("P%lld %d\n", p, a[rank - 1]);
    }
    free(a);
    return 0;
}
