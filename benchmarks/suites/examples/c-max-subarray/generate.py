def generate(scale, rng):
    values = [rng.randrange(-1000, 1000) for _ in range(scale)]
    return f"{scale}\n" + " ".join(map(str, values)) + "\n"


def contract(text):
    head, *rest = text.split()
    assert int(head) == len(rest) >= 1
