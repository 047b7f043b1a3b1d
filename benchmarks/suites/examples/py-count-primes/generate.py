def generate(scale, rng):
    return (scale + rng.randrange(scale),)


def contract(n):
    assert type(n) is int and n >= 0
