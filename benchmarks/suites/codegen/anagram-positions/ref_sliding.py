def anagram_positions(text, pattern):
    m, n = len(pattern), len(text)
    if m > n:
        return []
    if m == 0:
        return list(range(n + 1))
    # need[c]: how many more c the window needs (negative: too many); wrong counts the
    # characters whose need is not zero, so the window is an anagram exactly when wrong == 0
    need = {}
    for c in pattern:
        need[c] = need.get(c, 0) + 1
    wrong = len(need)

    def change(c, delta):
        nonlocal wrong
        before = need.get(c, 0)
        after = before + delta
        need[c] = after
        if before == 0:
            wrong += 1
        elif after == 0:
            wrong -= 1

    for c in text[:m]:
        change(c, -1)
    found = [0] if wrong == 0 else []
    for i in range(m, n):
        change(text[i], -1)
        change(text[i - m], 1)
        if wrong == 0:
            found.append(i - m + 1)
    return found
