#include <math.h>

/* The launch, literally: per row (block), the 128 threads' strided partial results and
   the shared-memory trees, the exponential computed twice as in the kernel. */
#define THREADS 128

void softmax(const float *x, float *y, int rows, int cols) {
    float red[THREADS];
    for (int b = 0; b < rows; b++) {
        const float *in = x + (long)b * cols;
        float *out = y + (long)b * cols;
        for (int t = 0; t < THREADS; t++) {
            float m = -INFINITY;
            for (int j = t; j < cols; j += THREADS)
                m = fmaxf(m, in[j]);
            red[t] = m;
        }
        for (int s = THREADS / 2; s > 0; s >>= 1)
            for (int t = 0; t < s; t++)
                red[t] = fmaxf(red[t], red[t + s]);
        const float m = red[0];
        for (int t = 0; t < THREADS; t++) {
            float sum = 0.0f;
            for (int j = t; j < cols; j += THREADS)
                sum += expf(in[j] - m);
            red[t] = sum;
        }
        for (int s = THREADS / 2; s > 0; s >>= 1)
            for (int t = 0; t < s; t++)
                red[t] += red[t + s];
        const float sum = red[0];
        for (int t = 0; t < THREADS; t++)
            for (int j = t; j < cols; j += THREADS)
                out[j] = expf(in[j] - m) / sum;
    }
}
