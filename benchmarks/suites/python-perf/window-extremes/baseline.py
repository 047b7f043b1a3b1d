def window_extremes(xs, w):
    if w <= 0:
        raise ValueError("the window width must be positive")
    out = []
    for i in range(len(xs) - w + 1):
        window = xs[i : i + w]
        out.append((min(window), max(window)))
    return out
