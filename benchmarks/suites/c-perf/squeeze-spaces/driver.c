/* Reads all of stdin as one string, calls squeeze_spaces on it and prints the result
   between brackets. Built with -DPERFFORGE_EMPTY for the calibrated empty run. */
#include <stdio.h>
#include <stdlib.h>

void squeeze_spaces(char *s);

int main(void) {
    size_t cap = 1 << 16, len = 0, got;
    char *buf = malloc(cap);
    if (!buf) return 1;
    while ((got = fread(buf + len, 1, cap - len - 1, stdin)) > 0) {
        len += got;
        if (cap - len - 1 == 0) {
            cap *= 2;
            buf = realloc(buf, cap);
            if (!buf) return 1;
        }
    }
    buf[len] = '\0';
#ifndef PERFFORGE_EMPTY
    squeeze_spaces(buf);
    printf("[%s]\n", buf);
#endif
    free(buf);
    return 0;
}
