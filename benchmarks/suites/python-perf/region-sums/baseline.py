def region_sums(grid, queries):
    sums = []
    for top, left, bottom, right in queries:
        total = 0
        for r in range(top, bottom + 1):
            for c in range(left, right + 1):
                total += grid[r][c]
        sums.append(total)
    return sums
