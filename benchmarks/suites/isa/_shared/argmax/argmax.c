/* Index of the first largest element of a[0..n-1]; -1 when n <= 0. */
int argmax(const int *a, int n)
{
    if (n <= 0)
        return -1;
    int best = 0;
    for (int i = 1; i < n; i++) {
        if (a[i] > a[best])
            best = i;
    }
    return best;
}
