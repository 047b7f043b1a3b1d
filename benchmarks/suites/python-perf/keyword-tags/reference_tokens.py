import re

_WORD = re.compile(r"\w+")


def tag_lines(lines, keywords):
    # a keyword made of word characters occurs as a whole word exactly when it equals one of
    # the line's maximal runs of word characters
    tags = []
    for line in lines:
        words = set(_WORD.findall(line))
        tags.append([keyword for keyword in keywords if keyword in words])
    return tags
