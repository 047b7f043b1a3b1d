#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, stdin)) != -1) {
        if (len > 0 && line[len - 1] == '\n')
            line[--len] = '\0';
        char **words = NULL;
        size_t count = 0;
        char *p = line;
        while (*p) {
            while (*p == ' ')
                p++;
            if (!*p)
                break;
            char *start = p;
            while (*p && *p != ' ')
                p++;
            char *word = malloc((size_t)(p - start) + 1);
            memcpy(word, start, (size_t)(p - start));
            word[p - start] = '\0';
            words = realloc(words, (count + 1) * sizeof *words);
            words[count++] = word;
        }
        char *out = malloc(1);
        size_t used = 0;
        out[0] = '\0';
        for (size_t i = count; i-- > 0;) {
            size_t wlen = strlen(words[i]);
            out = realloc(out, used + wlen + 2);
            if (used)
                out[used++] = ' ';
            memcpy(out + used, words[i], wlen + 1);
            used += wlen;
            free(words[i]);
        }
        puts(out);
        free(out);
        free(words);
    }
    free(line);
    return 0;
}
