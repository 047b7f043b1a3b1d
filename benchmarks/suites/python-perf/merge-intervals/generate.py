def generate(scale, rng):
    # short intervals spread thinly: most survive as separate output intervals
    span = scale * 40
    intervals = []
    for _ in range(scale):
        start = rng.randint(-span, span)
        intervals.append([start, start + rng.randint(0, 30)])
    return (intervals,)


def contract(intervals):
    assert isinstance(intervals, list)
    for iv in intervals:
        assert len(iv) == 2 and type(iv[0]) is int and type(iv[1]) is int and iv[0] <= iv[1]
