def last_survivor(n, k):
    alive = [True] * n
    remaining = n
    pos = -1
    while remaining > 1:
        steps = 0
        while steps < k:
            pos = (pos + 1) % n
            if alive[pos]:
                steps += 1
        alive[pos] = False
        remaining -= 1
    return alive.index(True) + 1
