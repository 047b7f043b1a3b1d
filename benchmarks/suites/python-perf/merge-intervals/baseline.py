def merge_intervals(intervals):
    result = []
    for start, end in intervals:
        kept = []
        for s, e in result:
            if s <= end and start <= e:
                start, end = min(start, s), max(end, e)
            else:
                kept.append((s, e))
        kept.append((start, end))
        result = kept
    return sorted(result)
