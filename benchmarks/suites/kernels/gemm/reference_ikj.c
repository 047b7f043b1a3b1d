/* i-k-j: rows of b and c are walked contiguously; the inner loop vectorizes. */
void gemm(int n, const float *restrict a, const float *restrict b, float *restrict c) {
    #pragma omp parallel for schedule(static)
    for (int i = 0; i < n; i++) {
        float *ci = c + i * n;
        for (int j = 0; j < n; j++)
            ci[j] = 0.0f;
        for (int k = 0; k < n; k++) {
            const float aik = a[i * n + k];
            const float *bk = b + k * n;
            #pragma omp simd
            for (int j = 0; j < n; j++)
                ci[j] += aik * bk[j];
        }
    }
}
