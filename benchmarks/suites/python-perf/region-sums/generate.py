def generate(scale, rng):
    rows, cols = scale, scale + 7
    grid = [[rng.randint(-100, 100) for _ in range(cols)] for _ in range(rows)]
    queries = []
    for _ in range(scale * 2):
        top, bottom = sorted(rng.randrange(rows) for _ in range(2))
        left, right = sorted(rng.randrange(cols) for _ in range(2))
        queries.append((top, left, bottom, right))
    return (grid, queries)


def contract(grid, queries):
    assert grid and all(len(row) == len(grid[0]) >= 1 for row in grid)
    for top, left, bottom, right in queries:
        assert 0 <= top <= bottom < len(grid) and 0 <= left <= right < len(grid[0])
