def generate(scale, rng):
    coeffs = [rng.randint(-10**9, 10**9) for _ in range(scale)]
    xs = [rng.randint(-10**9, 10**9) for _ in range(scale // 4)]
    return (coeffs, xs, 1_000_000_007)


def contract(coeffs, xs, m):
    assert all(type(c) is int for c in coeffs) and all(type(x) is int for x in xs)
    assert type(m) is int and m >= 1
