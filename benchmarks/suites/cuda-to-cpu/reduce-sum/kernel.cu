// Sum of x into *out (zeroed by the host before the launch): a shared-memory tree per
// block, then one atomic add per block.
#define BLOCK 256

__global__ void reduce_sum_kernel(const float *x, float *out, int n) {
    __shared__ float partial[BLOCK];
    int t = threadIdx.x;
    int i = blockIdx.x * BLOCK + t;
    partial[t] = i < n ? x[i] : 0.0f;
    __syncthreads();
    for (int s = BLOCK / 2; s > 0; s >>= 1) {
        if (t < s)
            partial[t] += partial[t + s];
        __syncthreads();
    }
    if (t == 0)
        atomicAdd(out, partial[0]);
}

void reduce_sum(const float *x, float *out, int n) {
    cudaMemset(out, 0, sizeof(float));
    reduce_sum_kernel<<<(n + BLOCK - 1) / BLOCK, BLOCK>>>(x, out, n);
}
