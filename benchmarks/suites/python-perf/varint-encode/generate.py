def generate(scale, rng):
    # mostly small values (one or two bytes), some wide ones, both signs
    values = []
    for _ in range(scale):
        bits = rng.choice((6, 6, 6, 13, 13, 20, 35, 63))
        values.append(rng.randint(-(1 << bits), (1 << bits) - 1))
    return (values,)


def contract(values):
    assert isinstance(values, list) and all(type(v) is int for v in values)
