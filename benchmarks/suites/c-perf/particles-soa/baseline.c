struct particle {
    float x, y, z;
    float vx, vy, vz;
    float mass, charge;
    int id, flags;
};

void simulate(struct particle *p, int n, int steps, float dt) {
    for (int s = 0; s < steps; s++) {
        for (int i = 0; i < n; i++) {
            p[i].vy -= 9.81f * dt;
            p[i].x += p[i].vx * dt;
            p[i].y += p[i].vy * dt;
            p[i].z += p[i].vz * dt;
            if (p[i].y < 0.0f) {
                p[i].y = -p[i].y;
                p[i].vy = -p[i].vy * 0.9f;
            }
        }
    }
}
