def generate(scale, rng):
    # a random walk: realistic sensor-like data with long monotone stretches
    xs, level = [], 0
    for _ in range(scale):
        level += rng.randint(-50, 50)
        xs.append(level)
    return (xs, max(1, scale // 8))


def contract(xs, w):
    assert isinstance(xs, list) and all(type(x) is int for x in xs)
    assert type(w) is int and 1 <= w
