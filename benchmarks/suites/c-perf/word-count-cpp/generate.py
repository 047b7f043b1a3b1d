def generate(scale, rng):
    vocabulary = [
        "".join(rng.choice("abcdefghijklmnopqrstuvwxyzABCXYZ") for _ in range(rng.randint(1, 9)))
        for _ in range(max(10, scale // 20))
    ]
    vocabulary += ["naïve", "Straße", "ÉTÉ", "it's", "co-op"]
    weights = [1.0 / (i + 1) for i in range(len(vocabulary))]
    words = rng.choices(vocabulary, weights=weights, k=scale)
    seps = [rng.choice((" ", " ", " ", "  ", "\t", "\n", "\r\n")) for _ in words]
    return "".join(w + s for w, s in zip(words, seps))


def contract(text):
    assert "\0" not in text
