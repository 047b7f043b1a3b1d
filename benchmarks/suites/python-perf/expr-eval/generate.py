def _operand(rng, depth):
    roll = rng.random()
    if depth < 3 and roll < 0.08:
        return "(" + _chain(rng, depth + 1, rng.randint(2, 8)) + ")"
    sign = "-" if roll > 0.9 else ""
    return sign + str(rng.randint(0, 999))


def _chain(rng, depth, terms):
    parts = [_operand(rng, depth)]
    for _ in range(terms - 1):
        op = rng.choice("+-+-*")
        parts.append(op if rng.random() < 0.5 else f" {op} ")
        parts.append(_operand(rng, depth))
    return "".join(parts)


def generate(scale, rng):
    # a long, shallow expression: long sums of short products and a few parentheses
    return (_chain(rng, 0, scale),)


def contract(expression):
    assert type(expression) is str
    assert set(expression) <= set("0123456789+-*() \t\n")
    assert expression.count("(") == expression.count(")")
