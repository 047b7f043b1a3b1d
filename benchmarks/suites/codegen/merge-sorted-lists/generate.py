def generate(scale, rng):
    lists = []
    for _ in range(max(1, scale // 200)):
        length = rng.choice((0, rng.randint(1, 400)))
        lists.append(sorted(rng.randint(-10**6, 10**6) for _ in range(length)))
    return (lists,)


def contract(lists):
    assert isinstance(lists, list)
    for items in lists:
        assert all(type(x) is int for x in items)
        assert all(a <= b for a, b in zip(items, items[1:]))
