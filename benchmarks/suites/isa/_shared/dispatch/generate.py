"""Stress input: `scale` programs of 400 operations (every opcode, unknown ones included)."""


def generate(scale, rng):
    programs = []
    for _ in range(scale):
        x = rng.randrange(-(1 << 40), 1 << 40)
        ops = [rng.randrange(9) for _ in range(400)]
        programs.append(f"{x} {len(ops)} " + " ".join(map(str, ops)) + "\n")
    return f"{scale}\n" + "".join(programs)


def contract(stdin):
    lines = [line for line in stdin.split("\n") if line]
    assert int(lines[0]) == len(lines) - 1
    for line in lines[1:]:
        x, n, *ops = map(int, line.split())
        assert n == len(ops) and all(0 <= op < 256 for op in ops)
