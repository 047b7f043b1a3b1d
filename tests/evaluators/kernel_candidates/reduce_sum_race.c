/* The GPU's atomicAdd dropped: both threads read-modify-write the shared total with no
   synchronization (volatile: every addition loads and stores it).  Whenever the two
   threads run at the same time, or one is preempted between its load and its store,
   the other's additions are overwritten and lost. */
void reduce_sum(const float *x, float *out, int n) {
    volatile float *total = out;
    *total = 0.0f;
    #pragma omp parallel for
    for (int i = 0; i < n; i++)
        *total += x[i];
}
