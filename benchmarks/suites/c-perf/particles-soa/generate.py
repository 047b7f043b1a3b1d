def generate(scale, rng):
    return f"{scale} 1000 0.01 {rng.randrange(1, 2**63)}\n"


def contract(text):
    n, steps, dt, seed = text.split()
    assert int(n) >= 0 and int(steps) >= 0 and 0 < float(dt) <= 1 and int(seed) >= 0
