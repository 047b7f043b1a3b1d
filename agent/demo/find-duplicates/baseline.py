def find_duplicates(records):
    """Return the ids of the records whose (name, email) pair appeared earlier in the list.

    Names and emails are compared ignoring letter case and surrounding spaces. The ids
    come in the order in which the duplicate records appear.
    """
    duplicates = []
    for i in range(len(records)):
        for j in range(i):
            a = records[i]
            b = records[j]
            if a["name"].strip().lower() == b["name"].strip().lower() and \
                    a["email"].strip().lower() == b["email"].strip().lower():
                if a["id"] not in duplicates:
                    duplicates.append(a["id"])
                break
    return duplicates
