def find_duplicates(records):
    seen = set()
    duplicates = []
    for record in records:
        key = (record["name"].strip().lower(), record["email"].strip().lower())
        if key in seen:
            duplicates.append(record["id"])
        else:
            seen.add(key)
    return duplicates
