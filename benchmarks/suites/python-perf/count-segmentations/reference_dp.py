def count_segmentations(text, words):
    vocabulary = {w for w in words if w}
    n = len(text)
    if not vocabulary:
        return 1 if n == 0 else 0
    longest = max(map(len, vocabulary))
    # ways[i]: segmentations of the suffix text[i:]
    ways = [0] * (n + 1)
    ways[n] = 1
    for i in range(n - 1, -1, -1):
        total = 0
        for j in range(i + 1, min(n, i + longest) + 1):
            if ways[j] and text[i:j] in vocabulary:
                total += ways[j]
        ways[i] = total
    return ways[0]
