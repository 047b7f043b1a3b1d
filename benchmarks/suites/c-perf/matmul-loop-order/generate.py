def generate(scale, rng):
    return f"{scale} {rng.randrange(1, 2**63)}\n"


def contract(text):
    n, seed = map(int, text.split())
    assert 1 <= n <= 2000 and seed >= 0
