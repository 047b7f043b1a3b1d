/* The launch, literally: for every block, every thread's tile loads, then its products. */
#define TILE 16

void matmul(const float *A, const float *B, float *C, int M, int N, int K) {
    float As[TILE][TILE], Bs[TILE][TILE];
    float acc[TILE][TILE];
    const int tiles = (K + TILE - 1) / TILE;
    for (int by = 0; by < (M + TILE - 1) / TILE; by++)
        for (int bx = 0; bx < (N + TILE - 1) / TILE; bx++) {
            for (int ty = 0; ty < TILE; ty++)
                for (int tx = 0; tx < TILE; tx++)
                    acc[ty][tx] = 0.0f;
            for (int t = 0; t < tiles; t++) {
                for (int ty = 0; ty < TILE; ty++)
                    for (int tx = 0; tx < TILE; tx++) {
                        int row = by * TILE + ty, col = bx * TILE + tx;
                        int ka = t * TILE + tx, kb = t * TILE + ty;
                        As[ty][tx] = (row < M && ka < K) ? A[row * K + ka] : 0.0f;
                        Bs[ty][tx] = (kb < K && col < N) ? B[kb * N + col] : 0.0f;
                    }
                for (int ty = 0; ty < TILE; ty++)
                    for (int tx = 0; tx < TILE; tx++)
                        for (int k = 0; k < TILE; k++)
                            acc[ty][tx] += As[ty][k] * Bs[k][tx];
            }
            for (int ty = 0; ty < TILE; ty++)
                for (int tx = 0; tx < TILE; tx++) {
                    int row = by * TILE + ty, col = bx * TILE + tx;
                    if (row < M && col < N)
                        C[row * N + col] = acc[ty][tx];
                }
        }
}
