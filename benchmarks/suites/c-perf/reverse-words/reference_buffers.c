/* One read, one output buffer, no allocation per word or per line: word boundaries are
   recorded as offsets into the input and reused for every line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *grow(void *p, size_t bytes) {
    p = realloc(p, bytes);
    if (!p) exit(1);
    return p;
}

int main(void) {
    size_t cap = 1 << 16, len = 0, got;
    char *in = grow(NULL, cap);
    while ((got = fread(in + len, 1, cap - len, stdin)) > 0) {
        len += got;
        if (len == cap)
            in = grow(in, cap *= 2);
    }
    char *out = grow(NULL, len + 2);
    size_t used = 0, wcap = 256;
    size_t *starts = grow(NULL, wcap * sizeof *starts), *ends = grow(NULL, wcap * sizeof *ends);
    size_t pos = 0;
    while (pos < len) {
        size_t count = 0;
        while (pos < len && in[pos] != '\n') {
            if (in[pos] == ' ') {
                pos++;
                continue;
            }
            size_t start = pos;
            while (pos < len && in[pos] != ' ' && in[pos] != '\n')
                pos++;
            if (count == wcap) {
                wcap *= 2;
                starts = grow(starts, wcap * sizeof *starts);
                ends = grow(ends, wcap * sizeof *ends);
            }
            starts[count] = start;
            ends[count++] = pos;
        }
        pos++; /* the newline, or one past the end */
        for (size_t i = count; i-- > 0;) {
            memcpy(out + used, in + starts[i], ends[i] - starts[i]);
            used += ends[i] - starts[i];
            if (i)
                out[used++] = ' ';
        }
        out[used++] = '\n';
    }
    fwrite(out, 1, used, stdout);
    free(in);
    free(out);
    free(starts);
    free(ends);
    return 0;
}
