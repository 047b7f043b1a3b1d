from bisect import bisect_left, insort


def rolling_median(xs, w):
    if w <= 0:
        raise ValueError("the window width must be positive")
    if w > len(xs):
        return []
    window = sorted(xs[:w])
    half, odd = w // 2, w % 2
    medians = []
    for i in range(w, len(xs) + 1):
        medians.append(window[half] if odd else (window[half - 1] + window[half]) / 2)
        if i == len(xs):
            break
        # keep the window sorted: drop the item leaving, insert the one arriving
        del window[bisect_left(window, xs[i - w])]
        insort(window, xs[i])
    return medians
