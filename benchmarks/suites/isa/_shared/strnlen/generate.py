"""Stress input: `scale` words of up to 300 letters, each with a bound below, at or above its length."""


def generate(scale, rng):
    lines = []
    for _ in range(scale):
        n = rng.randrange(0, 300)
        word = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(n)) or "-"
        bound = rng.choice([n // 2, n, n + rng.randrange(1, 50), 1 << 40])
        lines.append(f"{bound} {word}\n")
    return f"{scale}\n" + "".join(lines)


def contract(stdin):
    head, *rest = stdin.split("\n")
    assert int(head) == len([r for r in rest if r])
    for line in rest:
        if line:
            bound, word = line.split(" ")
            assert int(bound) >= 0 and word and " " not in word
