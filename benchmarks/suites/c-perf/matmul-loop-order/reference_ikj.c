/* i-k-j order: the innermost loop walks rows of b and c contiguously, so it vectorizes
   and streams through memory instead of striding down a column of b. */
void matmul(int n, const float *restrict a, const float *restrict b, float *restrict c) {
    for (long i = 0; i < (long)n * n; i++)
        c[i] = 0.0f;
    for (int i = 0; i < n; i++) {
        float *restrict row = c + (long)i * n;
        for (int k = 0; k < n; k++) {
            const float aik = a[(long)i * n + k];
            const float *restrict bk = b + (long)k * n;
            for (int j = 0; j < n; j++)
                row[j] += aik * bk[j];
        }
    }
}
