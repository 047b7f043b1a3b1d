/* Accumulates straight into y[i]: y may alias the other arrays as far as the compiler
   knows, so every product is a load and a store of y[i]. */
void spmv(int n, int nnz, const int *row_ptr, const int *col, const float *val, const float *x, float *y) {
    (void)nnz;
    for (int i = 0; i < n; i++) {
        y[i] = 0.0f;
        for (int k = row_ptr[i]; k < row_ptr[i + 1]; k++)
            y[i] += val[k] * x[col[k]];
    }
}
