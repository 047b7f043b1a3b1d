/* Runs a tiny accumulator machine: each byte of ops is one instruction applied to x.
   Arithmetic wraps modulo 2^64; the shift and the remainder treat the value as signed. */
long run_ops(const unsigned char *ops, int n, long x)
{
    unsigned long acc = (unsigned long)x;
    for (int i = 0; i < n; i++) {
        switch (ops[i]) {
        case 0:
            acc += 7;
            break;
        case 1:
            acc -= 3;
            break;
        case 2:
            acc <<= 1;
            break;
        case 3:
            acc ^= 0x55;
            break;
        case 4:
            acc = (unsigned long)((long)acc >> 1);
            break;
        case 5:
            acc = -acc;
            break;
        case 6:
            acc = (unsigned long)((long)acc % 1000);
            break;
        default:
            break;
        }
    }
    return (long)acc;
}
