def generate(scale, rng):
    queries = []
    for _ in range(scale):
        n = rng.randrange(2000)
        m = rng.choice((1, 2, 10, 1_000_000_007, rng.randint(1, 10**12)))
        queries.append((n, m))
    return (queries,)


def contract(queries):
    assert isinstance(queries, list)
    assert all(type(n) is int and type(m) is int and n >= 0 and m >= 1 for n, m in queries)
