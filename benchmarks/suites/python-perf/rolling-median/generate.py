def generate(scale, rng):
    xs = [rng.randint(-10**6, 10**6) for _ in range(scale)]
    # an even width, so half of the answers are means of two middle values
    return (xs, 2 * max(1, scale // 16))


def contract(xs, w):
    assert isinstance(xs, list) and all(type(x) is int for x in xs)
    assert type(w) is int and w >= 1
