#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long long sort_count(int *a, int *tmp, int n) {
    if (n < 2) return 0;
    int half = n / 2;
    long long count = sort_count(a, tmp, half) + sort_count(a + half, tmp, n - half);
    int i = 0, j = half, k = 0;
    while (i < half && j < n) {
        if (a[j] < a[i]) {
            count += half - i;
            tmp[k++] = a[j++];
        } else {
            tmp[k++] = a[i++];
        }
    }
    while (i < half) tmp[k++] = a[i++];
    while (j < n) tmp[k++] = a[j++];
    memcpy(a, tmp, (size_t)n * sizeof *a);
    return count;
}

int main(void) {
    int n;
    if (scanf("%d", &n) != 1) return 1;
    size_t size = (size_t)(n > 0 ? n : 1) * sizeof(int);
    int *a = malloc(size), *tmp = malloc(size);
    for (int i = 0; i < n; i++)
        if (scanf("%d", &a[i]) != 1) return 1;
    printf("%lld\n", sort_count(a, tmp, n));
    free(a);
    free(tmp);
    return 0;
}
