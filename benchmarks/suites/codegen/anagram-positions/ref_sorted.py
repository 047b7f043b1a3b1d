def anagram_positions(text, pattern):
    m = len(pattern)
    target = sorted(pattern)
    return [i for i in range(len(text) - m + 1) if sorted(text[i : i + m]) == target]
