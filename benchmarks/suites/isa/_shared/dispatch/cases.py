CASES = [
    {"name": "each opcode once", "stdin": "7\n10 1 0\n10 1 1\n10 1 2\n10 1 3\n10 1 4\n10 1 5\n1234 1 6\n",
     "stdout": "17\n7\n20\n95\n5\n-10\n234\n"},
    {"name": "signed shift and remainder", "stdin": "2\n-7 1 4\n-1234 1 6\n", "stdout": "-4\n-234\n"},
    {"name": "unknown opcodes and no ops", "stdin": "2\n5 3 7 200 255\n-3 0\n", "stdout": "5\n-3\n"},
    {"name": "a mix", "stdin": "2\n9223372036854775807 5 0 2 5 6 4\n0 8 3 3 5 1 2 6 0 4\n"},
]
