def merge_sorted(lists):
    # the concatenation is a sequence of sorted runs; Timsort finds the runs and merges
    # them, so this costs O(N log k) comparisons, all in C
    merged = []
    for items in lists:
        merged += items
    merged.sort()
    return merged
