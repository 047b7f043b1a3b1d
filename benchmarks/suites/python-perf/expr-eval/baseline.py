def _tokenize(expression):
    tokens = []
    number = ""
    for ch in expression:
        if ch in "0123456789":
            number += ch
            continue
        if number:
            tokens.append(int(number))
            number = ""
        if ch in "+-*()":
            tokens.append(ch)
        elif ch not in " \t\n":
            raise ValueError(f"unexpected character {ch!r}")
    if number:
        tokens.append(int(number))
    return tokens


def _sum(tokens):
    value, tokens = _product(tokens)
    while tokens and tokens[0] in ("+", "-"):
        op = tokens[0]
        rhs, tokens = _product(tokens[1:])
        value = value + rhs if op == "+" else value - rhs
    return value, tokens


def _product(tokens):
    value, tokens = _factor(tokens)
    while tokens and tokens[0] == "*":
        rhs, tokens = _factor(tokens[1:])
        value = value * rhs
    return value, tokens


def _factor(tokens):
    if not tokens:
        raise ValueError("unexpected end of expression")
    token = tokens[0]
    if token == "-":
        value, rest = _factor(tokens[1:])
        return -value, rest
    if token == "+":
        return _factor(tokens[1:])
    if token == "(":
        value, rest = _sum(tokens[1:])
        if not rest or rest[0] != ")":
            raise ValueError("missing closing parenthesis")
        return value, rest[1:]
    if isinstance(token, int):
        return token, tokens[1:]
    raise ValueError(f"unexpected {token!r}")


def evaluate(expression):
    value, rest = _sum(_tokenize(expression))
    if rest:
        raise ValueError(f"unexpected {rest[0]!r}")
    return value
