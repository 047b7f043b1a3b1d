def generate(scale, rng):
    # `scale` runs of letters, each splittable 7 ways (four letters) or 4 ways (the last,
    # three letters) with the short words below, so the answer is 4 * 7**(scale - 1);
    # separators and filler words vary from input to input
    letter, separators = rng.choice((("a", "bcd"), ("x", "yzw")))
    runs = [letter * 4 for _ in range(scale - 1)] + [letter * 3]
    text = "".join(run + rng.choice(separators) for run in runs)
    filler = ["".join(rng.choice("abcdxyzw") for _ in range(rng.randint(5, 9))) for _ in range(20)]
    words = [letter, letter * 2, letter * 3, *separators, *filler]
    rng.shuffle(words)
    return (text, words)


def contract(text, words):
    assert type(text) is str and isinstance(words, list) and all(type(w) is str for w in words)
