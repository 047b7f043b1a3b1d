from bisect import bisect_right, insort
from itertools import repeat

_SMALL = 48


def _sort_count(items):
    n = len(items)
    if n <= _SMALL:
        # short runs: insert into a sorted list, counting the items already above
        run, count = [], 0
        for i, x in enumerate(items):
            count += i - bisect_right(run, x)
            insort(run, x)
        return run, count
    half = n // 2
    left, a = _sort_count(items[:half])
    right, b = _sort_count(items[half:])
    # pairs (x in left, y in right) with x > y: for each y, the left items above it
    above = len(left) * len(right) - sum(map(bisect_right, repeat(left, len(right)), right))
    # both halves are sorted runs: sorted() merges them in one linear pass
    return sorted(left + right), a + b + above


def count_inversions(nums):
    return _sort_count(list(nums))[1]
