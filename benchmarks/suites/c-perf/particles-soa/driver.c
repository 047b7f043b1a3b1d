/* Reads n, steps, dt and a seed; makes n particles with a fixed generator; calls simulate
   and prints the sums of the positions and velocities and one particle in full.
   Built with -DPERFFORGE_EMPTY for the calibrated empty run: same set-up, no call. */
#include <stdio.h>
#include <stdlib.h>

struct particle {
    float x, y, z;
    float vx, vy, vz;
    float mass, charge;
    int id, flags;
};

void simulate(struct particle *p, int n, int steps, float dt);

static unsigned long long state;

static float uniform(float lo, float hi) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return lo + (hi - lo) * (float)((state >> 40) / 16777216.0);
}

int main(void) {
    int n, steps;
    float dt;
    if (scanf("%d %d %f %llu", &n, &steps, &dt, &state) != 4 || n < 0 || steps < 0) return 1;
    struct particle *p = malloc(sizeof *p * (size_t)(n > 0 ? n : 1));
    if (!p) return 1;
    for (int i = 0; i < n; i++) {
        p[i].x = uniform(0.0f, 100.0f);
        p[i].y = uniform(0.0f, 50.0f);
        p[i].z = uniform(0.0f, 100.0f);
        p[i].vx = uniform(-5.0f, 5.0f);
        p[i].vy = uniform(-5.0f, 20.0f);
        p[i].vz = uniform(-5.0f, 5.0f);
        p[i].mass = uniform(0.5f, 2.0f);
        p[i].charge = uniform(-1.0f, 1.0f);
        p[i].id = i;
        p[i].flags = i % 3;
    }
#ifndef PERFFORGE_EMPTY
    simulate(p, n, steps, dt);
    double sx = 0, sy = 0, sz = 0, svx = 0, svy = 0, svz = 0, other = 0;
    for (int i = 0; i < n; i++) {
        sx += p[i].x; sy += p[i].y; sz += p[i].z;
        svx += p[i].vx; svy += p[i].vy; svz += p[i].vz;
        other += p[i].mass + p[i].charge + p[i].id + p[i].flags;
    }
    printf("%.6e %.6e %.6e\n%.6e %.6e %.6e\n%.6e\n", sx, sy, sz, svx, svy, svz, other);
    if (n > 0)
        printf("%.6e %.6e %.6e %.6e %.6e %.6e\n", p[n - 1].x, p[n - 1].y, p[n - 1].z, p[n - 1].vx, p[n - 1].vy, p[n - 1].vz);
#endif
    free(p);
    return 0;
}
