def generate(scale, rng):
    return (scale + rng.randrange(scale // 10 + 1), rng.randint(2, 9))


def contract(n, k):
    assert type(n) is int and type(k) is int and n >= 1 and k >= 1
