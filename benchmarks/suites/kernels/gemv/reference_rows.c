/* One contiguous dot product per row, rows shared among the threads. */
void gemv(int m, int n, const float *restrict a, const float *restrict x, float *restrict y) {
    #pragma omp parallel for schedule(static)
    for (int i = 0; i < m; i++) {
        const float *row = a + (long)i * n;
        float sum = 0.0f;
        #pragma omp simd reduction(+:sum)
        for (int j = 0; j < n; j++)
            sum += row[j] * x[j];
        y[i] = sum;
    }
}
