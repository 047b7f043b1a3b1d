def dedupe(items):
    return tuple(dict.fromkeys(items))
