def generate(scale, rng):
    xs = [rng.randint(-10**9, 10**9) for _ in range(scale)]
    queries = []
    for _ in range(scale):
        lo = rng.randrange(scale)
        hi = min(scale - 1, lo + rng.randrange(scale // 2))
        queries.append((lo, hi))
    return (xs, queries)


def contract(xs, queries):
    assert isinstance(xs, list) and xs and all(type(x) is int for x in xs)
    assert all(0 <= lo <= hi < len(xs) for lo, hi in queries)
