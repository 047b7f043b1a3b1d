from math import isqrt


def range_minimums(xs, queries):
    if not queries:
        return []
    size = max(1, isqrt(len(xs)))
    block_min = [min(xs[start : start + size]) for start in range(0, len(xs), size)]
    out = []
    for lo, hi in queries:
        first, last = lo // size, hi // size
        if first == last:
            best = xs[lo]
            for i in range(lo + 1, hi + 1):
                if xs[i] < best:
                    best = xs[i]
        else:
            best = xs[lo]
            for i in range(lo + 1, (first + 1) * size):
                if xs[i] < best:
                    best = xs[i]
            for b in range(first + 1, last):
                if block_min[b] < best:
                    best = block_min[b]
            for i in range(last * size, hi + 1):
                if xs[i] < best:
                    best = xs[i]
        out.append(best)
    return out
