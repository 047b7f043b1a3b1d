CASES = [
    {"name": "no saturation", "stdin": "2\n3 1 2 3\n0\n", "stdout": "6\n0\n"},
    {"name": "upper limit, then back down", "stdin": "2\n3 30000 30000 -5\n2 32767 1\n", "stdout": "32762\n32767\n"},
    {"name": "lower limit, then back up", "stdin": "2\n3 -30000 -30000 7\n2 -32768 -1\n", "stdout": "-32761\n-32768\n"},
    {"name": "both limits", "stdin": "1\n6 32767 32767 -32768 -32768 -32768 100\n"},
]
