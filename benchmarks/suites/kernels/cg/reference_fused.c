#include <stdlib.h>

/* Row-order matrix-vector product fused with p.q; the x and r updates fused with r.r. */
void cg(int n, int iters, const double *restrict a, const double *restrict b, double *restrict x) {
    double *r = malloc(sizeof(double) * n), *p = malloc(sizeof(double) * n), *q = malloc(sizeof(double) * n);
    double rr = 0.0;
    for (int i = 0; i < n; i++) {
        x[i] = 0.0;
        r[i] = p[i] = b[i];
        rr += b[i] * b[i];
    }
    for (int it = 0; it < iters && rr != 0.0; it++) {
        double pq = 0.0;
        #pragma omp parallel for reduction(+:pq) schedule(static)
        for (int i = 0; i < n; i++) {
            const double *row = a + (long)i * n;
            double s = 0.0;
            #pragma omp simd reduction(+:s)
            for (int j = 0; j < n; j++)
                s += row[j] * p[j];
            q[i] = s;
            pq += p[i] * s;
        }
        const double alpha = rr / pq;
        double rr_new = 0.0;
        for (int i = 0; i < n; i++) {
            x[i] += alpha * p[i];
            r[i] -= alpha * q[i];
            rr_new += r[i] * r[i];
        }
        const double beta = rr_new / rr;
        for (int i = 0; i < n; i++)
            p[i] = r[i] + beta * p[i];
        rr = rr_new;
    }
    free(r);
    free(p);
    free(q);
}
