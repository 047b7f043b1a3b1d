def region_sums(grid, queries):
    if not queries:
        return []
    cols = len(grid[0])
    # table[r][c]: the sum of grid[0..r-1][0..c-1]
    table = [[0] * (cols + 1)]
    for row in grid:
        above = table[-1]
        line = [0]
        running = 0
        for c, value in enumerate(row):
            running += value
            line.append(above[c + 1] + running)
        table.append(line)
    return [
        table[bottom + 1][right + 1] - table[top][right + 1] - table[bottom + 1][left] + table[top][left]
        for top, left, bottom, right in queries
    ]
