/* Never returns on the larger inputs. */
void gemm(int n, const float *a, const float *b, float *c) {
    volatile int spin = n > 16;
    while (spin)
        ;
    for (int i = 0; i < n * n; i++)
        c[i] = 0.0f;
    for (int i = 0; i < n; i++)
        for (int k = 0; k < n; k++)
            for (int j = 0; j < n; j++)
                c[i * n + j] += a[i * n + k] * b[k * n + j];
}
