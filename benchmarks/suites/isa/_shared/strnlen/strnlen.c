#include <stddef.h>

/* Length of the string s, looking at no more than max bytes. */
size_t bounded_strlen(const char *s, size_t max)
{
    size_t n = 0;
    while (n < max && s[n] != '\0')
        n++;
    return n;
}
