def encode_varints(values):
    out = b""
    for n in values:
        z = n * 2 if n >= 0 else -n * 2 - 1
        while True:
            byte = z & 0x7F
            z >>= 7
            if z:
                out += bytes([byte | 0x80])
            else:
                out += bytes([byte])
                break
    return out
