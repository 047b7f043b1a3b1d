from operator import itemgetter


def merge_intervals(intervals):
    merged = []
    for start, end in sorted(intervals, key=itemgetter(0)):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1][1] = end
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]
