import re

_TOKEN = re.compile(r"[ \t\n]*(?:([0-9]+)|([-+*()]))")
_SPACE = re.compile(r"[ \t\n]*")


def _tokenize(expression):
    tokens = []
    pos, end = 0, len(expression)
    match = _TOKEN.match
    while True:
        m = match(expression, pos)
        if m is None:
            pos = _SPACE.match(expression, pos).end()
            if pos < end:
                raise ValueError(f"unexpected character {expression[pos]!r}")
            return tokens
        number, op = m.groups()
        tokens.append(int(number) if number is not None else op)
        pos = m.end()


class _Parser:
    def __init__(self, tokens):
        self.tokens = tokens
        self.pos = 0

    def peek(self):
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def sum(self):
        value = self.product()
        tokens = self.tokens
        while self.pos < len(tokens) and (tokens[self.pos] == "+" or tokens[self.pos] == "-"):
            op = tokens[self.pos]
            self.pos += 1
            rhs = self.product()
            value = value + rhs if op == "+" else value - rhs
        return value

    def product(self):
        value = self.factor()
        tokens = self.tokens
        while self.pos < len(tokens) and tokens[self.pos] == "*":
            self.pos += 1
            value = value * self.factor()
        return value

    def factor(self):
        token = self.peek()
        if token is None:
            raise ValueError("unexpected end of expression")
        self.pos += 1
        if type(token) is int:
            return token
        if token == "-":
            return -self.factor()
        if token == "+":
            return self.factor()
        if token == "(":
            value = self.sum()
            if self.peek() != ")":
                raise ValueError("missing closing parenthesis")
            self.pos += 1
            return value
        raise ValueError(f"unexpected {token!r}")


def evaluate(expression):
    parser = _Parser(_tokenize(expression))
    value = parser.sum()
    if parser.pos != len(parser.tokens):
        raise ValueError(f"unexpected {parser.tokens[parser.pos]!r}")
    return value
