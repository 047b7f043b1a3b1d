def dedupe(items):
    out = list(dict.fromkeys(items))
    items[:] = out  # "saves memory" by deduplicating in place
    return out
