/* A register accumulator per row, two products per step, rows shared among the threads. */
void spmv(int n, int nnz, const int *restrict row_ptr, const int *restrict col, const float *restrict val,
          const float *restrict x, float *restrict y) {
    (void)nnz;
    #pragma omp parallel for schedule(static, 256)
    for (int i = 0; i < n; i++) {
        int k = row_ptr[i];
        const int end = row_ptr[i + 1];
        float s0 = 0.0f, s1 = 0.0f;
        for (; k + 1 < end; k += 2) {
            s0 += val[k] * x[col[k]];
            s1 += val[k + 1] * x[col[k + 1]];
        }
        if (k < end)
            s0 += val[k] * x[col[k]];
        y[i] = s0 + s1;
    }
}
