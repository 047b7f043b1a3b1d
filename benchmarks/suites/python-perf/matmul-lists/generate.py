def generate(scale, rng):
    n, m, p = scale, scale + 3, scale - 2
    a = [[rng.randint(-1000, 1000) for _ in range(m)] for _ in range(n)]
    b = [[rng.randint(-1000, 1000) for _ in range(p)] for _ in range(m)]
    return (a, b)


def contract(a, b):
    assert a and b and len(a[0]) == len(b) >= 1 and len(b[0]) >= 1
    assert all(len(row) == len(a[0]) for row in a) and all(len(row) == len(b[0]) for row in b)
    assert all(type(x) is int for row in a + b for x in row)
