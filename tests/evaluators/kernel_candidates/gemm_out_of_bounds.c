/* Writes far past the end of c. */
void gemm(int n, const float *a, const float *b, float *c) {
    (void)a;
    (void)b;
    for (long i = 0; i < (long)n * n * 100000; i += 1024)
        c[i] = 1.0f;
}
