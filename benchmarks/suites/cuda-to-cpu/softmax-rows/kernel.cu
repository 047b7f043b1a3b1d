// Row-wise softmax of a rows x cols matrix: one block of 128 threads per row, reductions
// for the row's maximum and for the sum of exponentials in shared memory.
#define THREADS 128

__global__ void softmax_kernel(const float *x, float *y, int cols) {
    __shared__ float red[THREADS];
    const float *in = x + (long)blockIdx.x * cols;
    float *out = y + (long)blockIdx.x * cols;
    int t = threadIdx.x;

    float m = -INFINITY;
    for (int j = t; j < cols; j += THREADS)
        m = fmaxf(m, in[j]);
    red[t] = m;
    __syncthreads();
    for (int s = THREADS / 2; s > 0; s >>= 1) {
        if (t < s)
            red[t] = fmaxf(red[t], red[t + s]);
        __syncthreads();
    }
    m = red[0];
    __syncthreads();

    float sum = 0.0f;
    for (int j = t; j < cols; j += THREADS)
        sum += expf(in[j] - m);
    red[t] = sum;
    __syncthreads();
    for (int s = THREADS / 2; s > 0; s >>= 1) {
        if (t < s)
            red[t] += red[t + s];
        __syncthreads();
    }
    sum = red[0];

    for (int j = t; j < cols; j += THREADS)
        out[j] = expf(in[j] - m) / sum;
}

void softmax(const float *x, float *y, int rows, int cols) {
    softmax_kernel<<<rows, THREADS>>>(x, y, cols);
}
