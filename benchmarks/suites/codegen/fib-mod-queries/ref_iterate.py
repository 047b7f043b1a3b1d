def fib_mods(queries):
    results = []
    for n, m in queries:
        a, b = 0, 1
        for _ in range(n):
            a, b = b, (a + b) % m
        results.append(a % m)
    return results
