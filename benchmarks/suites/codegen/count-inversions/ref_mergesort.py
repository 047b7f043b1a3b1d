def _sort_count(items):
    if len(items) < 2:
        return items, 0
    half = len(items) // 2
    left, a = _sort_count(items[:half])
    right, b = _sort_count(items[half:])
    merged = []
    count = a + b
    i = j = 0
    while i < len(left) and j < len(right):
        if right[j] < left[i]:
            merged.append(right[j])
            count += len(left) - i  # right[j] is smaller than every remaining left item
            j += 1
        else:
            merged.append(left[i])
            i += 1
    merged.extend(left[i:])
    merged.extend(right[j:])
    return merged, count


def count_inversions(nums):
    return _sort_count(list(nums))[1]
