import sys

words = sys.stdin.read().split()
seen = []
for word in words:
    if word not in seen:
        seen.append(word)
for word in seen:
    print(word, words.count(word))
