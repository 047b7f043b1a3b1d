def generate(scale, rng):
    return (scale + rng.randrange(scale // 10 + 1),)


def contract(n):
    assert type(n) is int and 0 <= n <= 10**6
