def generate(scale, rng):
    # a layered build: each target depends on a few targets created before it
    names = [f"{rng.choice(['lib', 'app', 'gen', 'test'])}-{i:05d}" for i in range(scale)]
    rng.shuffle(names)
    deps = {}
    for i, name in enumerate(names):
        if i and rng.random() < 0.9:
            deps[name] = [names[rng.randrange(max(0, i - 60), i)] for _ in range(rng.randint(1, 4))]
        elif rng.random() < 0.5:
            deps[name] = []
    return (deps,)


def contract(deps):
    assert isinstance(deps, dict)
    assert all(type(k) is str and isinstance(v, list) and all(type(p) is str for p in v) for k, v in deps.items())
