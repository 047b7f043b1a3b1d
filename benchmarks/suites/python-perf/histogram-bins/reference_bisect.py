from bisect import bisect_right


def histogram(values, edges):
    if len(edges) < 2:
        raise ValueError("at least two edges are needed")
    bins = len(edges) - 1
    counts = [0] * bins
    low, high = edges[0], edges[-1]
    for v in values:
        # the comparison is False for NaN, which therefore falls in no bin
        if low <= v <= high:
            i = bisect_right(edges, v) - 1
            counts[i if i < bins else bins - 1] += 1
    return counts
