void add_relu(const float *restrict a, const float *restrict b, float *restrict out, int n) {
    #pragma omp parallel for simd schedule(static)
    for (int i = 0; i < n; i++) {
        float v = a[i] + b[i];
        out[i] = v > 0.0f ? v : 0.0f;
    }
}
