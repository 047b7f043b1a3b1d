def generate(scale, rng):
    distinct = [f"user-{rng.randrange(10**6):06d}@example.org,{rng.choice(['ok', 'fail', 'é'])}" for _ in range(max(1, scale // 2))]
    lines = [rng.choice(distinct) for _ in range(scale)]
    return "\n".join(lines) + "\n"


def contract(text):
    assert "\0" not in text
