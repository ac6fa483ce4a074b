#ifndef RUNBOX_FILTER_H
#define RUNBOX_FILTER_H
#include <seccomp.h>

/* The run's seccomp filter (EPERM for what programs never need); calls die() on failure. */
scmp_filter_ctx runbox_filter(void (*die)(const char *fmt, ...));

#endif
