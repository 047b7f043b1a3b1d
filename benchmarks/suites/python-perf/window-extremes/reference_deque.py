from collections import deque


def window_extremes(xs, w):
    if w <= 0:
        raise ValueError("the window width must be positive")
    # indices of candidates for the minimum (values increasing) and maximum (decreasing)
    lows, highs = deque(), deque()
    out = []
    for i, x in enumerate(xs):
        while lows and xs[lows[-1]] >= x:
            lows.pop()
        lows.append(i)
        while highs and xs[highs[-1]] <= x:
            highs.pop()
        highs.append(i)
        if i >= w - 1:
            if lows[0] <= i - w:
                lows.popleft()
            if highs[0] <= i - w:
                highs.popleft()
            out.append((xs[lows[0]], xs[highs[0]]))
    return out
