import re

VOCABULARY = ["error", "err", "warn", "warning", "timeout", "disk", "cpu", "user_id", "retry", "ok",
              "db", "cache", "miss", "hit", "net", "io", "é_x", "straße", "köln", "fail", "failed", "x1"]


def generate(scale, rng):
    keywords = rng.sample(VOCABULARY, 16)
    lines = []
    for _ in range(scale):
        parts = []
        for _ in range(rng.randint(3, 14)):
            word = rng.choice(VOCABULARY + ["the", "a", "of", "12", "id:7"])
            parts.append(word + rng.choice(["", "", "", "s", "_2", ":", ",", "."]))
        lines.append(" ".join(parts))
    return (lines, keywords)


def contract(lines, keywords):
    assert all(type(line) is str for line in lines)
    assert len(set(keywords)) == len(keywords)
    assert all(type(k) is str and re.fullmatch(r"\w+", k) for k in keywords)
