/* The launch, literally: every block of 32 x 8 threads, each with the kernel's tests. */
void stencil2d(const float *in, float *out, int h, int w) {
    for (int by = 0; by < (h + 7) / 8; by++)
        for (int bx = 0; bx < (w + 31) / 32; bx++)
            for (int ty = 0; ty < 8; ty++)
                for (int tx = 0; tx < 32; tx++) {
                    int x = bx * 32 + tx, y = by * 8 + ty;
                    if (x >= w || y >= h)
                        continue;
                    int i = y * w + x;
                    if (x == 0 || y == 0 || x == w - 1 || y == h - 1) {
                        out[i] = in[i];
                        continue;
                    }
                    out[i] = 0.6f * in[i] + 0.1f * (in[i - w] + in[i + w] + in[i - 1] + in[i + 1]);
                }
}
