FIRST = ["ana", "bo", "chen", "dana", "emil", "fatima", "goran", "hana", "ivo", "jun", "kemal", "lea"]
LAST = ["alves", "berg", "costa", "dahl", "eze", "fox", "gil", "holm", "ito", "jones"]
DOMAINS = ["example.com", "mail.test", "post.example"]


def _person(rng):
    first, last = rng.choice(FIRST), rng.choice(LAST)
    number = rng.randrange(1000)
    return f"{first.title()} {last.title()}", f"{first}.{last}{number}@{rng.choice(DOMAINS)}"


def _noisy(rng, text):
    # the same person typed again: other letter case, stray spaces
    if rng.random() < 0.5:
        text = text.upper() if rng.random() < 0.5 else text.lower()
    return " " * rng.randrange(2) + text + " " * rng.randrange(2)


def generate(scale, rng):
    people = [_person(rng) for _ in range(max(1, scale * 3 // 4))]
    records = []
    for i in range(scale):
        name, email = rng.choice(people)
        records.append({"id": i + 1, "name": _noisy(rng, name), "email": _noisy(rng, email)})
    return (records,)


def contract(records):
    assert isinstance(records, list)
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids)), "ids are unique"
    assert all(set(r) == {"id", "name", "email"} for r in records)
