def generate(scale, rng):
    # about half the items repeat, so the output list grows to ~scale/2
    return ([rng.randrange(max(1, scale // 2)) for _ in range(scale)],)


def contract(items):
    assert isinstance(items, list)
    assert all(type(x) is int for x in items)
