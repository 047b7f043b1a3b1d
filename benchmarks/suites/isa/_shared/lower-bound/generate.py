"""Stress input: one sorted array of `scale` ints with repeats, and 4000 keys in and around its range."""


def generate(scale, rng):
    a = sorted(rng.randrange(-scale, scale) for _ in range(scale))
    keys = [rng.randrange(-scale - 10, scale + 10) for _ in range(4000)]
    return f"1\n{scale} {len(keys)}\n" + " ".join(map(str, a)) + "\n" + " ".join(map(str, keys)) + "\n"


def contract(stdin):
    head, counts, a, keys = stdin.split("\n")[:4]
    n, q = map(int, counts.split())
    values = list(map(int, a.split()))
    assert head == "1" and len(values) == n and values == sorted(values) and len(keys.split()) == q
