#include <stdio.h>
int main(void) {
    int n;
    if (scanf("%d", &n) != 1) return 1;
    if (n > 100) { volatile int *p = 0; *p = 1; }
    printf("0\n");
    return 0;
}
