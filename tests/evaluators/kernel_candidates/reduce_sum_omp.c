/* A correct translation: each thread sums its share, OpenMP adds the shares. */
void reduce_sum(const float *x, float *out, int n) {
    double sum = 0.0;
    #pragma omp parallel for reduction(+:sum)
    for (int i = 0; i < n; i++)
        sum += x[i];
    out[0] = (float)sum;
}
