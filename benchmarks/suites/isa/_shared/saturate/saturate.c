#include <stdint.h>

/* Sum of a[0..n-1] with every partial sum saturated to the range of int16_t. */
int16_t saturating_sum(const int16_t *a, int n)
{
    int acc = 0;
    for (int i = 0; i < n; i++) {
        acc += a[i];
        if (acc > INT16_MAX)
            acc = INT16_MAX;
        else if (acc < INT16_MIN)
            acc = INT16_MIN;
    }
    return (int16_t)acc;
}
