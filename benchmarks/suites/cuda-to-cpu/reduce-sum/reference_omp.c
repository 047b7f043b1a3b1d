/* Each thread sums its share in eight lanes; the threads' sums are combined by OpenMP. */
void reduce_sum(const float *restrict x, float *restrict out, int n) {
    float sum = 0.0f;
    #pragma omp parallel for simd reduction(+:sum) schedule(static)
    for (int i = 0; i < n; i++)
        sum += x[i];
    out[0] = sum;
}
