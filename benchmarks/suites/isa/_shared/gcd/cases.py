CASES = [
    {"name": "small pairs", "stdin": "3\n12 18\n18 12\n7 13\n", "stdout": "6\n6\n1\n"},
    {"name": "zeros", "stdin": "3\n0 0\n0 9\n9 0\n", "stdout": "0\n9\n9\n"},
    {"name": "64-bit values", "stdin": "2\n18446744073709551615 18446744073709551614\n"
                                       "12200160415121876738 7540113804746346429\n"},
    {"name": "equal and multiples", "stdin": "3\n5 5\n1000000007 3\n4096 65536\n"},
]
