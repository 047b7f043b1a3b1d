/* The launch, literally: 64 blocks of 256 threads, each block's shared histogram zeroed,
   filled by its threads' grid-stride loops, and merged. */
void histogram(const int *data, int *hist, int n, int bins) {
    int local[256];
    for (int b = 0; b < bins; b++)
        hist[b] = 0;
    for (int bx = 0; bx < 64; bx++) {
        for (int b = 0; b < bins; b++)
            local[b] = 0;
        for (int tx = 0; tx < 256; tx++)
            for (int i = bx * 256 + tx; i < n; i += 64 * 256)
                local[data[i]] += 1;
        for (int b = 0; b < bins; b++)
            hist[b] += local[b];
    }
}
