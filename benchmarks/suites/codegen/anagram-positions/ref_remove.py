def _is_anagram(window, pattern):
    remaining = list(pattern)
    for c in window:
        if c not in remaining:
            return False
        remaining.remove(c)
    return not remaining


def anagram_positions(text, pattern):
    m = len(pattern)
    return [i for i in range(len(text) - m + 1) if _is_anagram(text[i : i + m], pattern)]
