LETTERS = "abcdefghijklmnopqrstuvwxyzéüß"


def generate(scale, rng):
    # about scale/4 distinct letter multisets, each spelled in several orders
    stems = ["".join(rng.choice(LETTERS) for _ in range(rng.randint(3, 8))) for _ in range(max(1, scale // 4))]
    words = []
    for _ in range(scale):
        letters = list(rng.choice(stems))
        rng.shuffle(letters)
        words.append("".join(letters))
    return (words,)


def contract(words):
    assert isinstance(words, list)
    assert all(type(w) is str for w in words)
