/*
 * The resource limits Runbox sets, by the names it gives them on command lines and in job messages
 * ("cpu=3:4"): shared by runbox-launch and runbox-init so that both read them alike.
 */
#ifndef RUNBOX_RLIMITS_H
#define RUNBOX_RLIMITS_H

#include <string.h>
#include <sys/resource.h>

/* The RLIMIT_* of a name, or -1 for a name Runbox does not use. */
static inline int rlimit_by_name(const char *name) {
    static const struct { const char *name; int res; } names[] = {
        {"cpu", RLIMIT_CPU}, {"fsize", RLIMIT_FSIZE}, {"nofile", RLIMIT_NOFILE},
        {"core", RLIMIT_CORE}, {"stack", RLIMIT_STACK}, {"nproc", RLIMIT_NPROC},
        {"memlock", RLIMIT_MEMLOCK}, {"msgqueue", RLIMIT_MSGQUEUE},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(names[i].name, name) == 0) return names[i].res;
    return -1;
}

#endif
