CASES = [
    {"name": "empty and single", "stdin": "2\n0\n1 42\n", "stdout": "-1\n0\n"},
    {"name": "first of equal maxima", "stdin": "2\n5 3 9 1 9 2\n4 7 7 7 7\n", "stdout": "1\n0\n"},
    {"name": "rising and falling", "stdin": "2\n4 1 2 3 4\n4 4 3 2 1\n", "stdout": "3\n0\n"},
    {"name": "extremes", "stdin": "2\n3 -2147483648 2147483647 -1\n2 -5 -7\n"},
]
