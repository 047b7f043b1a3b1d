PIECES = ["alpha", "Beta", "x < y", "a & b", '"quoted"', "it's", "→", "naïve", " ", "42", "<br>", "ü"]


def generate(scale, rng):
    columns = 6
    header = [f"col {i} <{i}>" for i in range(columns)]
    rows = []
    for _ in range(max(1, scale // (columns * 10))):
        rows.append(["".join(rng.choice(PIECES) for _ in range(rng.randint(0, 30))) for _ in range(columns)])
    return (header, rows)


def contract(header, rows):
    assert isinstance(header, list) and all(type(c) is str for c in header)
    assert isinstance(rows, list)
    assert all(isinstance(r, list) and all(type(c) is str for c in r) for r in rows)
