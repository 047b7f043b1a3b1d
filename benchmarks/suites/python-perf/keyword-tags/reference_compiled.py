import re


def tag_lines(lines, keywords):
    patterns = [(keyword, re.compile(r"\b" + re.escape(keyword) + r"\b")) for keyword in keywords]
    return [[keyword for keyword, pattern in patterns if pattern.search(line)] for line in lines]
