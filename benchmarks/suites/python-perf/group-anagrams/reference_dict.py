def group_anagrams(words):
    groups = {}
    for word in words:
        key = "".join(sorted(word))
        group = groups.get(key)
        if group is None:
            groups[key] = [word]
        else:
            group.append(word)
    return list(groups.values())
