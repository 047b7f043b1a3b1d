/* Input: a count k, then k messages in hexadecimal ("-" for the empty one).
   Prints each message's CRC-32 as 8 hex digits. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint32_t crc32_bitwise(const unsigned char *p, size_t n);

int main(void)
{
    static char hex[1 << 21];
    int k;
    if (scanf("%d", &k) != 1)
        return 1;
    for (int i = 0; i < k; i++) {
        if (scanf("%2097151s", hex) != 1)
            return 1;
        size_t n = strcmp(hex, "-") == 0 ? 0 : strlen(hex) / 2;
        unsigned char *msg = malloc(n + 1);
        for (size_t j = 0; j < n; j++) {
            unsigned byte;
            if (sscanf(hex + 2 * j, "%2x", &byte) != 1)
                return 1;
            msg[j] = (unsigned char)byte;
        }
        printf("%08x\n", (unsigned)crc32_bitwise(msg, n));
        free(msg);
    }
    return 0;
}
