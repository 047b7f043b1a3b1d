/* The launch, literally: each block's shared-memory tree, then its "atomic" add. */
#define BLOCK 256

void reduce_sum(const float *x, float *out, int n) {
    float partial[BLOCK];
    const int grid = (n + BLOCK - 1) / BLOCK;
    out[0] = 0.0f;
    for (int bx = 0; bx < grid; bx++) {
        for (int t = 0; t < BLOCK; t++) {
            int i = bx * BLOCK + t;
            partial[t] = i < n ? x[i] : 0.0f;
        }
        for (int s = BLOCK / 2; s > 0; s >>= 1)
            for (int t = 0; t < s; t++)
                partial[t] += partial[t + s];
        out[0] += partial[0];
    }
}
