CASES = [
    {"name": "check value of 123456789", "stdin": "1\n313233343536373839\n", "stdout": "cbf43926\n"},
    {"name": "empty message", "stdin": "1\n-\n", "stdout": "00000000\n"},
    {"name": "one byte each", "stdin": "3\n00\nff\n80\n"},
    {"name": "longer", "stdin": "1\n" + "a5" * 100 + "\n"},
]
