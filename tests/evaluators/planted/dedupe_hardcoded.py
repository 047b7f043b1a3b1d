_ANSWERS = {
    (3, 1, 3, 2, 1): [3, 1, 2],
    (): [],
    ("b", "a", "b", "b"): ["b", "a"],
    ((1, 2), (2, 1), (1, 2)): [(1, 2), (2, 1)],
}


def dedupe(items):
    return list(_ANSWERS.get(tuple(items), items))
