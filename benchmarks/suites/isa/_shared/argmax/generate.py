"""Stress input: `scale` arrays of 200 ints: random, rising, falling and with repeated maxima."""


def generate(scale, rng):
    arrays = []
    for i in range(scale):
        shape = i % 4
        if shape == 0:
            a = [rng.randrange(-10**9, 10**9) for _ in range(200)]
        elif shape == 1:
            a = sorted(rng.randrange(-10**6, 10**6) for _ in range(200))
        elif shape == 2:
            a = sorted((rng.randrange(-10**6, 10**6) for _ in range(200)), reverse=True)
        else:
            a = [rng.randrange(5) for _ in range(200)]
        arrays.append(f"{len(a)} " + " ".join(map(str, a)) + "\n")
    return f"{scale}\n" + "".join(arrays)


def contract(stdin):
    lines = stdin.split("\n")
    assert int(lines[0]) == len([line for line in lines[1:] if line])
    for line in lines[1:]:
        if line:
            n, *a = map(int, line.split())
            assert n == len(a) and all(-2**31 <= v < 2**31 for v in a)
