from collections import Counter
from heapq import nsmallest


def top_k_words(words, k):
    if k <= 0:
        return []
    counts = Counter(words)
    return nsmallest(k, counts.items(), key=lambda item: (-item[1], item[0]))
