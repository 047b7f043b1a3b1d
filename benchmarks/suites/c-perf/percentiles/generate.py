def generate(scale, rng):
    values = [rng.randint(-2**31 + 1, 2**31 - 1) if rng.random() < 0.1 else rng.randint(-5000, 5000) for _ in range(scale)]
    return f"{scale}\n" + "\n".join(map(str, values)) + "\n"


def contract(text):
    head, *rest = text.split()
    assert int(head) == len(rest) >= 1
    assert all(-2**31 < int(v) < 2**31 for v in rest)
