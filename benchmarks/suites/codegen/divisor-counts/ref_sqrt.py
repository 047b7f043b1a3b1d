def divisor_counts(n):
    counts = []
    for k in range(1, n + 1):
        count = 0
        d = 1
        while d * d < k:
            if k % d == 0:
                count += 2  # d and k // d
            d += 1
        if d * d == k:
            count += 1
        counts.append(count)
    return counts
