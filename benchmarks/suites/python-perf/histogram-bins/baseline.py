def histogram(values, edges):
    if len(edges) < 2:
        raise ValueError("at least two edges are needed")
    counts = [0] * (len(edges) - 1)
    last = len(edges) - 2
    for v in values:
        for i in range(len(edges) - 1):
            if edges[i] <= v < edges[i + 1] or (i == last and v == edges[i + 1]):
                counts[i] += 1
                break
    return counts
