def generate(scale, rng):
    alphabet = "abcdé"
    text = "".join(rng.choice(alphabet) for _ in range(scale))
    start = rng.randrange(scale // 2)
    pattern = list(text[start : start + max(1, scale // 40)])
    rng.shuffle(pattern)
    return (text, "".join(pattern))


def contract(text, pattern):
    assert type(text) is str and type(pattern) is str
