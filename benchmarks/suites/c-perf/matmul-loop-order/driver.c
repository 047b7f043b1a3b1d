/* Reads n and a seed, fills two n x n matrices with small integers (exact in float, so any
   summation order gives the same product), calls matmul and prints every row sum of c.
   Built with -DPERFFORGE_EMPTY for the calibrated empty run: same set-up, no call. */
#include <stdio.h>
#include <stdlib.h>

void matmul(int n, const float *a, const float *b, float *c);

static unsigned long long state;

static int next_digit(void) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (int)((state >> 33) % 10);
}

int main(void) {
    int n;
    if (scanf("%d %llu", &n, &state) != 2 || n < 1 || n > 2000) return 1;
    size_t cells = (size_t)n * n;
    float *a = malloc(cells * sizeof *a), *b = malloc(cells * sizeof *b), *c = malloc(cells * sizeof *c);
    if (!a || !b || !c) return 1;
    for (size_t i = 0; i < cells; i++) a[i] = (float)next_digit();
    for (size_t i = 0; i < cells; i++) b[i] = (float)next_digit();
#ifndef PERFFORGE_EMPTY
    matmul(n, a, b, c);
    for (int i = 0; i < n; i++) {
        double sum = 0.0;
        for (int j = 0; j < n; j++) sum += c[(size_t)i * n + j];
        printf("%.0f\n", sum);
    }
#endif
    free(a);
    free(b);
    free(c);
    return 0;
}
