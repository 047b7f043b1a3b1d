"""Stress input: `scale` arrays of 300 int16 values that push the sum into both limits and back."""


def generate(scale, rng):
    arrays = []
    for _ in range(scale):
        bias = rng.choice([-9000, -100, 0, 100, 9000])
        a = [max(-32768, min(32767, bias + rng.randrange(-20000, 20000))) for _ in range(300)]
        arrays.append(f"{len(a)} " + " ".join(map(str, a)) + "\n")
    return f"{scale}\n" + "".join(arrays)


def contract(stdin):
    lines = [line for line in stdin.split("\n") if line]
    assert int(lines[0]) == len(lines) - 1
    for line in lines[1:]:
        n, *a = map(int, line.split())
        assert n == len(a) and all(-32768 <= v <= 32767 for v in a)
