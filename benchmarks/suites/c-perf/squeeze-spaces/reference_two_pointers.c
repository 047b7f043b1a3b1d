void squeeze_spaces(char *s) {
    char *out = s;
    const char *in = s;
    while (*in == ' ')
        in++;
    while (*in) {
        if (*in == ' ') {
            while (*in == ' ')
                in++;
            if (!*in)
                break;  /* trailing spaces: dropped */
            *out++ = ' ';
        }
        *out++ = *in++;
    }
    *out = '\0';
}
