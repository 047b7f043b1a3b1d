def top_k_words(words, k):
    counts = []
    seen = []
    for word in words:
        if word not in seen:
            seen.append(word)
            counts.append((word, words.count(word)))
    result = []
    while len(result) < k and counts:
        best = counts[0]
        for item in counts[1:]:
            if item[1] > best[1] or (item[1] == best[1] and item[0] < best[0]):
                best = item
        counts.remove(best)
        result.append(best)
    return result
