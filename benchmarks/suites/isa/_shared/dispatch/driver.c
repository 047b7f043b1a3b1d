/* Input: a count k, then k programs "x n op0 .. op(n-1)" (ops are bytes).  Prints run_ops' result per program. */
#include <stdio.h>
#include <stdlib.h>

long run_ops(const unsigned char *ops, int n, long x);

int main(void)
{
    int k;
    if (scanf("%d", &k) != 1)
        return 1;
    for (int i = 0; i < k; i++) {
        long x;
        int n;
        if (scanf("%ld %d", &x, &n) != 2 || n < 0)
            return 1;
        unsigned char *ops = malloc((size_t)n + 1);
        for (int j = 0; j < n; j++) {
            unsigned op;
            if (scanf("%u", &op) != 1)
                return 1;
            ops[j] = (unsigned char)op;
        }
        printf("%ld\n", run_ops(ops, n, x));
        free(ops);
    }
    return 0;
}
