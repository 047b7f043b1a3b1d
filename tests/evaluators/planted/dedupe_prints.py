def dedupe(items):
    out = list(dict.fromkeys(items))
    print(f"dedupe: {len(items)} -> {len(out)}")
    return out
