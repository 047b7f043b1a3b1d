#include <stdlib.h>
#include <string.h>

/* Column order (the inner loop strides by n) and a full copy of the grid after every sweep. */
void jacobi(int n, int iters, const float *u0, float *u) {
    float *prev = malloc(sizeof(float) * (size_t)n * n);
    memcpy(u, u0, sizeof(float) * (size_t)n * n);
    for (int t = 0; t < iters; t++) {
        memcpy(prev, u, sizeof(float) * (size_t)n * n);
        for (int j = 1; j < n - 1; j++)
            for (int i = 1; i < n - 1; i++)
                u[i * n + j] = 0.25f * ((prev[(i - 1) * n + j] + prev[(i + 1) * n + j])
                                        + (prev[i * n + j - 1] + prev[i * n + j + 1]));
    }
    free(prev);
}
