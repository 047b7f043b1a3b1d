def generate(scale, rng):
    bins = max(2, scale // 25)
    edges = sorted(set(round(rng.uniform(-1000.0, 1000.0), 3) for _ in range(bins + 1)))
    values = []
    for _ in range(scale):
        roll = rng.random()
        if roll < 0.05:
            values.append(rng.choice(edges))
        elif roll < 0.5:
            values.append(rng.randint(-1100, 1100))
        else:
            values.append(rng.uniform(-1100.0, 1100.0))
    return (values, edges)


def contract(values, edges):
    assert len(edges) >= 2 and all(a < b for a, b in zip(edges, edges[1:]))
    assert all(type(v) in (int, float) for v in values)
