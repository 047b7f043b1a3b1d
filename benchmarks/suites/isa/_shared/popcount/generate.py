"""Stress input: `scale` 64-bit numbers of every density, from a few set bits to nearly all."""


def generate(scale, rng):
    values = []
    for _ in range(scale):
        density = rng.random()
        values.append(sum(1 << b for b in range(64) if rng.random() < density))
    return f"{scale}\n" + "".join(f"{v}\n" for v in values)


def contract(stdin):
    head, *rest = stdin.split()
    assert int(head) == len(rest) and all(0 <= int(v) < 1 << 64 for v in rest)
