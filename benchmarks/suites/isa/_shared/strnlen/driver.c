/* Input: a count k, then k lines "max word" (a word is "-" for the empty string).
   Prints bounded_strlen(word, max) per line; the word sits in a buffer ending at its NUL. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t bounded_strlen(const char *s, size_t max);

int main(void)
{
    static char word[1 << 20];
    int k;
    if (scanf("%d", &k) != 1)
        return 1;
    for (int i = 0; i < k; i++) {
        unsigned long max;
        if (scanf("%lu %1048575s", &max, word) != 2)
            return 1;
        const char *text = strcmp(word, "-") == 0 ? "" : word;
        size_t len = strlen(text);
        char *copy = malloc(len + 1);
        memcpy(copy, text, len + 1);
        printf("%zu\n", bounded_strlen(copy, max));
        free(copy);
    }
    return 0;
}
