#include "config.h"
#include <stdio.h>
int main(void) { puts("k8c"); return 0; }
