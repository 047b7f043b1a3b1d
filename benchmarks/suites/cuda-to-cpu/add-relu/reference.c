/* The launch, literally: every block, every thread of it, guarded as on the GPU. */
void add_relu(const float *a, const float *b, float *out, int n) {
    const int block = 256;
    const int grid = (n + block - 1) / block;
    for (int bx = 0; bx < grid; bx++)
        for (int tx = 0; tx < block; tx++) {
            int i = bx * block + tx;
            if (i < n) {
                float v = a[i] + b[i];
                out[i] = v > 0.0f ? v : 0.0f;
            }
        }
}
