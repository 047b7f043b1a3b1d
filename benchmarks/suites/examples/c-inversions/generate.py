def generate(scale, rng):
    values = [rng.randrange(-10**9, 10**9) for _ in range(scale)]
    return f"{scale}\n" + " ".join(map(str, values)) + "\n"


def contract(text):
    head, *rest = text.split()
    assert int(head) == len(rest)
    assert all(abs(int(v)) < 2**31 for v in rest)
