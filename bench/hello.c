/* The C hello of the benchmark: the smallest real program (dynamically linked, as gcc builds by default). */
#include <stdio.h>

int main(void) {
    puts("hello");
    return 0;
}
