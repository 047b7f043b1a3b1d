#include <stdlib.h>

struct particle {
    float x, y, z;
    float vx, vy, vz;
    float mass, charge;
    int id, flags;
};

/* The hot loop touches six of the ten fields: copy them into separate arrays once, step
   there (contiguous, branch-free, vectorizable), and copy back. */
static void step_all(int n, int steps, float dt, float *restrict x, float *restrict y, float *restrict z,
                     const float *restrict vx, float *restrict vy, const float *restrict vz) {
    const float g = 9.81f * dt;
    for (int s = 0; s < steps; s++) {
        for (int i = 0; i < n; i++) {
            float v = vy[i] - g;
            float yi = y[i] + v * dt;
            x[i] += vx[i] * dt;
            z[i] += vz[i] * dt;
            float bounced = -v * 0.9f;
            int below = yi < 0.0f;
            y[i] = below ? -yi : yi;
            vy[i] = below ? bounced : v;
        }
    }
}

void simulate(struct particle *p, int n, int steps, float dt) {
    if (n <= 0) return;
    float *buf = malloc(sizeof(float) * 6 * (size_t)n);
    if (!buf) abort();
    float *x = buf, *y = x + n, *z = y + n, *vx = z + n, *vy = vx + n, *vz = vy + n;
    for (int i = 0; i < n; i++) {
        x[i] = p[i].x; y[i] = p[i].y; z[i] = p[i].z;
        vx[i] = p[i].vx; vy[i] = p[i].vy; vz[i] = p[i].vz;
    }
    step_all(n, steps, dt, x, y, z, vx, vy, vz);
    for (int i = 0; i < n; i++) {
        p[i].x = x[i]; p[i].y = y[i]; p[i].z = z[i];
        p[i].vx = vx[i]; p[i].vy = vy[i]; p[i].vz = vz[i];
    }
    free(buf);
}
