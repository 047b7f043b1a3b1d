/* Each thread counts its share of the values four at a time into four private
   histograms (four independent chains of increments, a quarter of the loop overhead);
   the private histograms are added into hist at the end. */
void histogram(const int *restrict data, int *restrict hist, int n, int bins) {
    for (int b = 0; b < bins; b++)
        hist[b] = 0;
    const int quads = n / 4;
    #pragma omp parallel
    {
        int l0[256] = {0}, l1[256] = {0}, l2[256] = {0}, l3[256] = {0};
        #pragma omp for schedule(static) nowait
        for (int q = 0; q < quads; q++) {
            const int *d = data + 4 * q;
            l0[d[0]]++;
            l1[d[1]]++;
            l2[d[2]]++;
            l3[d[3]]++;
        }
        #pragma omp single nowait
        for (int i = 4 * quads; i < n; i++)
            l0[data[i]]++;
        for (int b = 0; b < bins; b++) {
            int sum = l0[b] + l1[b] + l2[b] + l3[b];
            #pragma omp atomic
            hist[b] += sum;
        }
    }
}
