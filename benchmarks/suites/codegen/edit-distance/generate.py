ALPHABET = "ACGTé"


def generate(scale, rng):
    a = "".join(rng.choice(ALPHABET) for _ in range(scale))
    # b is a mutated copy of a: substitutions, insertions and deletions
    b = []
    for ch in a:
        roll = rng.random()
        if roll < 0.1:
            b.append(rng.choice(ALPHABET))
        elif roll < 0.15:
            b.append(ch + rng.choice(ALPHABET))
        elif roll >= 0.2:
            b.append(ch)
    return (a, "".join(b))


def contract(a, b):
    assert type(a) is str and type(b) is str
    assert len(a) + len(b) <= 400  # the memoized reference recurses once per character
