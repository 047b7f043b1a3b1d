WORDS = ["the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "naïve", "café", "—", "a\tb", "x", "2024"]


def generate(scale, rng):
    lines = []
    for _ in range(scale):
        words = [rng.choice(WORDS) for _ in range(rng.randint(0, 24))]
        gaps = [" " * rng.choice((1, 1, 1, 2)) for _ in words]
        lines.append(" " * rng.randint(0, 2) + "".join(w + g for w, g in zip(words, gaps)).rstrip(" "))
    return "\n".join(lines) + "\n"


def contract(text):
    assert "\0" not in text
