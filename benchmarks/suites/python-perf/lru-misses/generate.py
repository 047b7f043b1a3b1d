def generate(scale, rng):
    # a hot set that mostly fits, plus a long tail that causes evictions
    capacity = max(1, scale // 10)
    hot = [f"page/{i}" for i in range(capacity)]
    requests = [rng.choice(hot) if rng.random() < 0.7 else f"page/{rng.randrange(scale)}" for _ in range(scale)]
    return (requests, capacity)


def contract(requests, capacity):
    assert isinstance(requests, list) and all(type(r) is str for r in requests)
    assert type(capacity) is int
