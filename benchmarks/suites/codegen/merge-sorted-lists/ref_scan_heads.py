def merge_sorted(lists):
    positions = [0] * len(lists)
    merged = []
    while True:
        best = None
        for i, items in enumerate(lists):
            if positions[i] < len(items) and (best is None or items[positions[i]] < lists[best][positions[best]]):
                best = i
        if best is None:
            return merged
        merged.append(lists[best][positions[best]])
        positions[best] += 1
