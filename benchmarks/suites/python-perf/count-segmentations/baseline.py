def count_segmentations(text, words):
    vocabulary = [w for w in words if w]
    if not text:
        return 1
    total = 0
    for i in range(1, len(text) + 1):
        if text[:i] in vocabulary:
            total += count_segmentations(text[i:], vocabulary)
    return total
