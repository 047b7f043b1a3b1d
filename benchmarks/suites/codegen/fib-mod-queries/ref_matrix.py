def _mat_mul(x, y, m):
    return (
        (x[0] * y[0] + x[1] * y[2]) % m,
        (x[0] * y[1] + x[1] * y[3]) % m,
        (x[2] * y[0] + x[3] * y[2]) % m,
        (x[2] * y[1] + x[3] * y[3]) % m,
    )


def fib_mods(queries):
    results = []
    for n, m in queries:
        # [[1, 1], [1, 0]] ** n == [[F(n+1), F(n)], [F(n), F(n-1)]]
        power, base = (1, 0, 0, 1), (1, 1, 1, 0)
        while n:
            if n & 1:
                power = _mat_mul(power, base, m)
            base = _mat_mul(base, base, m)
            n >>= 1
        results.append(power[1] % m)
    return results
