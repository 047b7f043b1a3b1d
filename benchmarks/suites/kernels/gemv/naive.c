/* Column by column: the inner loop strides down a column of a. */
void gemv(int m, int n, const float *a, const float *x, float *y) {
    for (int i = 0; i < m; i++)
        y[i] = 0.0f;
    for (int j = 0; j < n; j++)
        for (int i = 0; i < m; i++)
            y[i] += a[(long)i * n + j] * x[j];
}
