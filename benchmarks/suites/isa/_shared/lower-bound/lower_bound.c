/* The first index i in the sorted a[0..n-1] with a[i] >= key (n when there is none). */
long lower_bound(const int *a, long n, int key)
{
    long lo = 0, hi = n;
    while (lo < hi) {
        long mid = lo + (hi - lo) / 2;
        if (a[mid] < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}
