/* Rows of C shared among the threads; i-k-j order so the inner loop is contiguous. */
void matmul(const float *restrict A, const float *restrict B, float *restrict C, int M, int N, int K) {
    #pragma omp parallel for schedule(static)
    for (int i = 0; i < M; i++) {
        float *c = C + (long)i * N;
        for (int j = 0; j < N; j++)
            c[j] = 0.0f;
        for (int k = 0; k < K; k++) {
            const float a = A[(long)i * K + k];
            const float *b = B + (long)k * N;
            #pragma omp simd
            for (int j = 0; j < N; j++)
                c[j] += a * b[j];
        }
    }
}
