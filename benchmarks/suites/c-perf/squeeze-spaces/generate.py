WORDS = ["alpha", "beta", "x", "naïve", "tab\there", "line\n", "42", "—", "ok"]


def generate(scale, rng):
    parts = []
    for _ in range(scale):
        parts.append(" " * rng.choice((0, 1, 1, 2, 3, 7)))
        parts.append(rng.choice(WORDS))
    parts.append(" " * rng.randint(0, 5))
    return "".join(parts)


def contract(text):
    assert "\0" not in text
