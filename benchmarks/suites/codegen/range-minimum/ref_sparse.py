def range_minimums(xs, queries):
    if not queries:
        return []
    # table[k][i] = min(xs[i : i + 2**k]); each level is built from the one below in C (map)
    table = [list(xs)]
    width = 1
    while 2 * width <= len(xs):
        below = table[-1]
        table.append(list(map(min, below[: len(below) - width], below[width:])))
        width *= 2
    out = []
    for lo, hi in queries:
        k = (hi - lo + 1).bit_length() - 1
        level = table[k]
        a, b = level[lo], level[hi - (1 << k) + 1]
        out.append(a if a <= b else b)
    return out
