/* Compiles, but defines matmul: the driver's call to gemm does not link. */
void matmul(int n, const float *a, const float *b, float *c) {
    for (int i = 0; i < n * n; i++)
        c[i] = a[i] + b[i];
}
