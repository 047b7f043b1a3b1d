def deduplicate(items):
    return list(dict.fromkeys(items))
