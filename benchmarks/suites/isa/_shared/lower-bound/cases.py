CASES = [
    {"name": "every position", "stdin": "1\n5 7\n1 3 3 5 9\n0 1 2 3 4 9 10\n", "stdout": "0\n0\n1\n1\n3\n4\n5\n"},
    {"name": "empty array", "stdin": "1\n0 2\n\n-5 5\n", "stdout": "0\n0\n"},
    {"name": "all equal", "stdin": "1\n4 3\n2 2 2 2\n1 2 3\n", "stdout": "0\n0\n4\n"},
    {"name": "extremes", "stdin": "1\n3 3\n-2147483648 0 2147483647\n-2147483648 2147483647 1\n"},
]
