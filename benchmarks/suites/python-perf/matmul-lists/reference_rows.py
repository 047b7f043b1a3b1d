from operator import mul


def matmul(a, b):
    if not a:
        return []
    if len(b) != len(a[0]):
        raise ValueError("inner dimensions differ")
    columns = list(zip(*b))
    return [[sum(map(mul, row, column)) for column in columns] for row in a]
