long long max_subarray(const int *a, int n) {
    long long best = a[0], here = 0;
    for (int i = 0; i < n; i++) {
        here = here > 0 ? here + a[i] : a[i];
        if (here > best) best = here;
    }
    return best;
}
