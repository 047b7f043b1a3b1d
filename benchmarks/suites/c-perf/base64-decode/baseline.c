#include <stdint.h>
#include <stdio.h>

static int sextet(int c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

static uint64_t hash = 0xcbf29ce484222325ULL;
static unsigned long long length = 0;

static void emit(unsigned char byte) {
    hash ^= byte;
    hash *= 0x100000001b3ULL;
    length++;
}

int main(void) {
    int c, group[4], have = 0, padding = 0;
    while ((c = getchar()) != EOF) {
        if (c == '\n' || c == '\r')
            continue;
        if (c == '=') {
            padding++;
            group[have++] = 0;
        } else {
            group[have++] = sextet(c);
        }
        if (have == 4) {
            unsigned bits = (unsigned)group[0] << 18 | (unsigned)group[1] << 12 | (unsigned)group[2] << 6 | (unsigned)group[3];
            emit((unsigned char)(bits >> 16));
            if (padding < 2) emit((unsigned char)(bits >> 8));
            if (padding < 1) emit((unsigned char)bits);
            have = 0;
        }
    }
    printf("%llu %016llx\n", length, (unsigned long long)hash);
    return 0;
}
