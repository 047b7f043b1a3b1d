"""Stress input: `scale` pairs of 64-bit numbers, consecutive Fibonacci numbers (Euclid's worst case) among them."""

M = (1 << 64) - 1


def generate(scale, rng):
    fib = [1, 1]
    while fib[-1] <= M:
        fib.append(fib[-1] + fib[-2])
    fib.pop()
    pairs = []
    for i in range(scale):
        if i % 8 == 0:
            j = rng.randrange(1, len(fib) - 1)
            pairs.append((fib[j + 1], fib[j]))
        else:
            g = rng.randrange(1, 1 << rng.randrange(1, 20))
            pairs.append((g * rng.randrange(1 << 40), g * rng.randrange(1 << 40)))
    return f"{scale}\n" + "".join(f"{a} {b}\n" for a, b in pairs)


def contract(stdin):
    head, *rest = stdin.split()
    assert int(head) * 2 == len(rest)
    assert all(0 <= int(v) <= M for v in rest)
