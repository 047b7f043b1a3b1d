"""Stress input: `scale` random messages of up to 512 bytes, written in hexadecimal."""


def generate(scale, rng):
    msgs = []
    for _ in range(scale):
        n = rng.randrange(0, 512)
        msgs.append(bytes(rng.randrange(256) for _ in range(n)).hex() or "-")
    return f"{scale}\n" + "\n".join(msgs) + "\n"


def contract(stdin):
    head, *msgs = stdin.split()
    assert int(head) == len(msgs)
    assert all(m == "-" or (len(m) % 2 == 0 and bytes.fromhex(m) is not None) for m in msgs)
