/* A correct translation: one parallel loop over rows, the kernel's tests per point. */
void stencil2d(const float *in, float *out, int h, int w) {
    #pragma omp parallel for
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            int i = y * w + x;
            if (x == 0 || y == 0 || x == w - 1 || y == h - 1)
                out[i] = in[i];
            else
                out[i] = 0.6f * in[i] + 0.1f * (in[i - w] + in[i + w] + in[i - 1] + in[i + 1]);
        }
}
