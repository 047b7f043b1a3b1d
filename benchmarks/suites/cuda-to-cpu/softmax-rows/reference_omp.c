#include <math.h>

/* Rows shared among threads; each exponential computed once and kept in y, then scaled. */
void softmax(const float *restrict x, float *restrict y, int rows, int cols) {
    #pragma omp parallel for schedule(static)
    for (int b = 0; b < rows; b++) {
        const float *in = x + (long)b * cols;
        float *out = y + (long)b * cols;
        float m = in[0];
        for (int j = 1; j < cols; j++)
            m = in[j] > m ? in[j] : m;
        float sum = 0.0f;
        for (int j = 0; j < cols; j++) {
            out[j] = expf(in[j] - m);
            sum += out[j];
        }
        const float inv = 1.0f / sum;
        for (int j = 0; j < cols; j++)
            out[j] *= inv;
    }
}
