def rolling_median(xs, w):
    if w <= 0:
        raise ValueError("the window width must be positive")
    medians = []
    for i in range(len(xs) - w + 1):
        window = sorted(xs[i : i + w])
        if w % 2:
            medians.append(window[w // 2])
        else:
            medians.append((window[w // 2 - 1] + window[w // 2]) / 2)
    return medians
