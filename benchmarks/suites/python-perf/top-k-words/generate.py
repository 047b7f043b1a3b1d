def generate(scale, rng):
    vocabulary = [f"w{i:04d}" for i in range(max(1, scale // 8))]
    # a skewed distribution, as in real text: a few words are very common
    weights = [1.0 / (rank + 1) for rank in range(len(vocabulary))]
    words = rng.choices(vocabulary, weights=weights, k=scale)
    return (words, max(1, scale // 40))


def contract(words, k):
    assert isinstance(words, list) and all(type(w) is str for w in words)
    assert type(k) is int and k >= 1
