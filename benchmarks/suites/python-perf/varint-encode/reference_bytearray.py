def encode_varints(values):
    out = bytearray()
    append = out.append
    for n in values:
        z = n << 1 if n >= 0 else (-n << 1) - 1
        while z > 0x7F:
            append((z & 0x7F) | 0x80)
            z >>= 7
        append(z)
    return bytes(out)
