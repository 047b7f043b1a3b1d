def generate(scale, rng):
    n = scale
    edges = []
    # a sparse random graph: a few components, chains and shortcuts, parallel edges and loops
    for _ in range(2 * n):
        u = rng.randrange(n)
        v = min(n - 1, max(0, u + rng.randint(-20, 20))) if rng.random() < 0.8 else rng.randrange(n)
        edges.append((u, v))
    return (n, edges, rng.randrange(n))


def contract(n, edges, source):
    assert type(n) is int and n >= 1 and type(source) is int and 0 <= source < n
    assert all(len(e) == 2 and 0 <= e[0] < n and 0 <= e[1] < n for e in edges)
