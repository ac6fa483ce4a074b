/*
 * The seccomp filter of every run, in one place: runbox-launch hands it to bwrap (default sandbox),
 * runbox-init builds it itself in a reused Docker container (--serve --container) and loads it on
 * top of Docker's default profile in a container per run (Docker sandbox without reuse).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/sched.h>
#include <sched.h>
#include <seccomp.h>
#include <stddef.h>
#include <sys/ioctl.h>

#include "filter.h"

/* Calls a user program never needs and that widen the kernel's attack surface or reach outside the
 * run. Denied with EPERM so programs that probe them get an error, not a crash. */
static const int denied_syscalls[] = {
    SCMP_SYS(bpf), SCMP_SYS(perf_event_open), SCMP_SYS(userfaultfd),
    SCMP_SYS(io_uring_setup), SCMP_SYS(io_uring_enter), SCMP_SYS(io_uring_register),
    SCMP_SYS(keyctl), SCMP_SYS(add_key), SCMP_SYS(request_key),
    SCMP_SYS(kexec_load), SCMP_SYS(kexec_file_load),
    SCMP_SYS(init_module), SCMP_SYS(finit_module), SCMP_SYS(delete_module),
    SCMP_SYS(mount), SCMP_SYS(umount2), SCMP_SYS(pivot_root), SCMP_SYS(chroot),
    SCMP_SYS(move_mount), SCMP_SYS(open_tree), SCMP_SYS(fsopen), SCMP_SYS(fsconfig),
    SCMP_SYS(fsmount), SCMP_SYS(fspick), SCMP_SYS(mount_setattr),
    SCMP_SYS(unshare), SCMP_SYS(setns),
    SCMP_SYS(ptrace), SCMP_SYS(process_vm_readv), SCMP_SYS(process_vm_writev),
    SCMP_SYS(pidfd_getfd),
    SCMP_SYS(syslog), SCMP_SYS(reboot), SCMP_SYS(swapon), SCMP_SYS(swapoff),
    SCMP_SYS(clock_settime), SCMP_SYS(clock_adjtime), SCMP_SYS(settimeofday), SCMP_SYS(adjtimex),
    SCMP_SYS(open_by_handle_at), SCMP_SYS(name_to_handle_at),
    SCMP_SYS(acct), SCMP_SYS(quotactl), SCMP_SYS(lookup_dcookie), SCMP_SYS(vhangup),
    SCMP_SYS(iopl), SCMP_SYS(ioperm), SCMP_SYS(uselib), SCMP_SYS(personality),
    SCMP_SYS(fanotify_init), SCMP_SYS(nfsservctl),
};

scmp_filter_ctx runbox_filter(void (*die)(const char *fmt, ...)) {
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    if (!ctx) die("seccomp_init failed");
    for (size_t i = 0; i < sizeof denied_syscalls / sizeof denied_syscalls[0]; i++) {
        if (denied_syscalls[i] < 0) continue; /* not on this architecture */
        if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), denied_syscalls[i], 0) < 0)
            die("seccomp rule for syscall %d", denied_syscalls[i]);
    }
    /* one rule per flag: a clone asking for any new namespace is denied */
    static const unsigned long ns_flags[] = {CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER,
                                             CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWCGROUP, 0x00000080};
    for (size_t i = 0; i < sizeof ns_flags / sizeof ns_flags[0]; i++) {
        if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
                             SCMP_A0(SCMP_CMP_MASKED_EQ, ns_flags[i], ns_flags[i])) < 0)
            die("seccomp clone rule");
    }
    /* clone3 passes its flags in memory, which seccomp cannot inspect: answer ENOSYS so that libc
     * falls back to clone(2), whose flags are checked above (the approach of Docker's profile). */
    if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0) < 0) die("seccomp clone3 rule");
    /* TIOCSTI/TIOCLINUX push input into a terminal: never allowed (the run has no terminal anyway). */
    if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1,
                         SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffUL, TIOCSTI)) < 0) die("seccomp ioctl rule");
    if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1,
                         SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffUL, TIOCLINUX)) < 0) die("seccomp ioctl rule");
    return ctx;
}
