void axpy(int n, float alpha, const float *restrict x, float *restrict y) {
    #pragma omp parallel for simd schedule(static)
    for (int i = 0; i < n; i++)
        y[i] += alpha * x[i];
}
