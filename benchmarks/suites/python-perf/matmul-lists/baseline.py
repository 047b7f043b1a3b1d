def matmul(a, b):
    if not a:
        return []
    n, m = len(a), len(a[0])
    if len(b) != m:
        raise ValueError("inner dimensions differ")
    p = len(b[0])
    c = [[0] * p for _ in range(n)]
    for i in range(n):
        for j in range(p):
            for k in range(m):
                c[i][j] += a[i][k] * b[k][j]
    return c
