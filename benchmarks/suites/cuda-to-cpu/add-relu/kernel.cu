// out[i] = max(a[i] + b[i], 0): one thread per element.
__global__ void add_relu_kernel(const float *a, const float *b, float *out, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        float v = a[i] + b[i];
        out[i] = v > 0.0f ? v : 0.0f;
    }
}

void add_relu(const float *a, const float *b, float *out, int n) {
    const int block = 256;
    add_relu_kernel<<<(n + block - 1) / block, block>>>(a, b, out, n);
}
