def fib_mods(queries):
    results = []
    for n, m in queries:
        # fast doubling from the top bit: F(2k) = F(k) * (2F(k+1) - F(k)),
        # F(2k+1) = F(k)^2 + F(k+1)^2
        a, b = 0, 1  # F(k), F(k+1) for k = the bits of n read so far
        for bit in bin(n)[2:]:
            a, b = a * (2 * b - a) % m, (a * a + b * b) % m
            if bit == "1":
                a, b = b, (a + b) % m
        results.append(a)
    return results
