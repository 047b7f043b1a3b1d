def range_minimums(xs, queries):
    return [min(xs[lo : hi + 1]) for lo, hi in queries]
