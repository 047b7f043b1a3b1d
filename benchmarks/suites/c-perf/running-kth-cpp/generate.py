def generate(scale, rng):
    k = max(1, scale // 20)
    values = [rng.randint(-10**12, 10**12) if rng.random() < 0.5 else rng.randint(-50, 50) for _ in range(scale)]
    return f"{scale} {k}\n" + " ".join(map(str, values)) + "\n"


def contract(text):
    n, k, *rest = text.split()
    assert int(n) == len(rest) and int(k) >= 1
    assert all(abs(int(v)) < 2**62 for v in rest)
