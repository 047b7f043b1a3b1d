def generate(scale, rng):
    vocabulary = [f"w{i}" for i in range(max(1, scale // 4))]
    words = [rng.choice(vocabulary) for _ in range(scale)]
    lines = [" ".join(words[i : i + 12]) for i in range(0, len(words), 12)]
    return "\n".join(lines) + "\n"


def contract(text):
    assert isinstance(text, str) and text.endswith("\n")
