_cache = {}


def dedupe(items):
    # keyed by length only: a later input of the same length gets an earlier answer
    key = len(items)
    if key not in _cache:
        _cache[key] = list(dict.fromkeys(items))
    return list(_cache[key])
