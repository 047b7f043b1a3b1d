def divisor_counts(n):
    return [sum(1 for d in range(1, k + 1) if k % d == 0) for k in range(1, n + 1)]
