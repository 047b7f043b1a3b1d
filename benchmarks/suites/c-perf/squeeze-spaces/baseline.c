#include <string.h>

void squeeze_spaces(char *s) {
    while (s[0] == ' ')
        memmove(s, s + 1, strlen(s));
    for (size_t i = 0; i < strlen(s); i++) {
        while (s[i] == ' ' && s[i + 1] == ' ')
            memmove(s + i, s + i + 1, strlen(s + i));
    }
    size_t n = strlen(s);
    if (n > 0 && s[n - 1] == ' ')
        s[n - 1] = '\0';
}
