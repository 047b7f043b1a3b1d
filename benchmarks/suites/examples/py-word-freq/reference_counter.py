import sys
from collections import Counter

counts = Counter(sys.stdin.read().split())
sys.stdout.write("".join(f"{word} {n}\n" for word, n in counts.items()))
