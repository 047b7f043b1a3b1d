import base64


def generate(scale, rng):
    data = bytes(rng.randrange(256) for _ in range(scale))
    text = base64.b64encode(data).decode("ascii")
    # wrapped at 76 columns as in MIME, with CRLF line ends on some inputs
    end = rng.choice(("\n", "\r\n"))
    return end.join(text[i : i + 76] for i in range(0, len(text), 76)) + end


def contract(text):
    joined = text.replace("\r", "").replace("\n", "")
    assert len(joined) % 4 == 0
    base64.b64decode(joined, validate=True)
