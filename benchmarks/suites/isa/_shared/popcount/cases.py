CASES = [
    {"name": "zero and one", "stdin": "2\n0\n1\n", "stdout": "0\n1\n"},
    {"name": "all ones", "stdin": "1\n18446744073709551615\n", "stdout": "64\n"},
    {"name": "top bit and patterns", "stdin": "4\n9223372036854775808\n12297829382473034410\n255\n4294967296\n"},
    {"name": "alternating bits, both phases", "stdin": "2\n6148914691236517205\n1152921504606846977\n",
     "stdout": "32\n2\n"},
]
