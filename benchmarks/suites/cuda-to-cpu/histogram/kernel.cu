// Histogram of n values in [0, bins) (bins <= 256) into hist (zeroed by the host): a
// private histogram per block in shared memory, merged into hist with atomics.
__global__ void histogram_kernel(const int *data, int *hist, int n, int bins) {
    __shared__ int local[256];
    for (int b = threadIdx.x; b < bins; b += blockDim.x)
        local[b] = 0;
    __syncthreads();
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x)
        atomicAdd(&local[data[i]], 1);
    __syncthreads();
    for (int b = threadIdx.x; b < bins; b += blockDim.x)
        atomicAdd(&hist[b], local[b]);
}

void histogram(const int *data, int *hist, int n, int bins) {
    cudaMemset(hist, 0, bins * sizeof(int));
    histogram_kernel<<<64, 256>>>(data, hist, n, bins);
}
