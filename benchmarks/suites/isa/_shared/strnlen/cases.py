CASES = [
    {"name": "bound above the length", "stdin": "2\n10 hello\n100 x\n", "stdout": "5\n1\n"},
    {"name": "bound below the length", "stdin": "2\n3 hello\n0 hello\n", "stdout": "3\n0\n"},
    {"name": "empty string", "stdin": "2\n5 -\n0 -\n", "stdout": "0\n0\n"},
    {"name": "bound equal to the length, huge bound", "stdin": "2\n5 hello\n18446744073709551615 abcdefghij\n"},
]
