def last_survivor(n, k):
    # J(1) = 0 and J(m) = (J(m - 1) + k) % m, 0-based: the survivor's position after the
    # first removal renumbers the circle
    survivor = 0
    for m in range(2, n + 1):
        survivor = (survivor + k) % m
    return survivor + 1
