#include <stdlib.h>

static double dot(int n, const double *u, const double *v) {
    double s = 0.0;
    for (int i = 0; i < n; i++)
        s += u[i] * v[i];
    return s;
}

/* The matrix-vector product walks a column at a time (stride n); each update is its own pass. */
void cg(int n, int iters, const double *a, const double *b, double *x) {
    double *r = malloc(sizeof(double) * n), *p = malloc(sizeof(double) * n), *q = malloc(sizeof(double) * n);
    for (int i = 0; i < n; i++) {
        x[i] = 0.0;
        r[i] = b[i];
        p[i] = b[i];
    }
    double rr = dot(n, r, r);
    for (int it = 0; it < iters && rr != 0.0; it++) {
        for (int i = 0; i < n; i++)
            q[i] = 0.0;
        for (int j = 0; j < n; j++)
            for (int i = 0; i < n; i++)
                q[i] += a[(long)i * n + j] * p[j];
        double alpha = rr / dot(n, p, q);
        for (int i = 0; i < n; i++)
            x[i] += alpha * p[i];
        for (int i = 0; i < n; i++)
            r[i] -= alpha * q[i];
        double rr_new = dot(n, r, r);
        for (int i = 0; i < n; i++)
            p[i] = r[i] + (rr_new / rr) * p[i];
        rr = rr_new;
    }
    free(r);
    free(p);
    free(q);
}
