import re


def tag_lines(lines, keywords):
    tags = []
    for line in lines:
        found = []
        for keyword in keywords:
            if re.search(r"\b" + re.escape(keyword) + r"\b", line):
                found.append(keyword)
        tags.append(found)
    return tags
