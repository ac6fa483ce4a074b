/*
 * runbox-launch: the privileged first step of every sandboxed run.
 *
 * Runbox (running as root) spawns this program; it does, in privilege order, what the JVM cannot do
 * between fork and exec, then starts bubblewrap, which builds the namespaces and mounts:
 *
 *   1. open the run's input files (paths chosen by Runbox, never by the program) at fixed fds;
 *   2. build the seccomp filter with libseccomp into a memfd, for bwrap --seccomp;
 *   then fork: the child becomes the run, this process stays as its supervisor (see supervise());
 *   3. join the run's cgroups, so every process of the run is accounted and limited from its start;
 *   4. set resource limits;
 *   5. drop to the run's unprivileged uid/gid with no supplementary groups;
 *   6. set no_new_privs and a parent-death signal, so the run dies with its supervisor;
 *   7. close every other fd and exec bwrap.
 *
 * Why a supervisor: bwrap's outer process exits as soon as the program does, while its pid-1 inside
 * the namespace is still tearing the namespace down. That pid 1 is then re-parented to the host's init
 * and lingers as a zombie of the run's uid until init reaps it (never, where Runbox itself is a
 * container's pid 1). The supervisor is a child subreaper outside the run's cgroups: every orphan of
 * the run comes back to it, and it exits only when it has reaped them all, so when Runbox sees it exit
 * not even a zombie of the run is left. SIGTERM asks it to end the run (SIGKILL to bwrap, whose death
 * takes the pid namespace along); its exit status is bwrap's (128 + N for death by signal N).
 *
 * Usage:
 *   runbox-launch [--cgroup-procs FILE]... [--rlimit RES=SOFT:HARD]... --uid N --gid N
 *                 [--fd N=PATH]... [--fdw N=PATH]... [--seccomp-fd N] [--init-report N=PATH]
 *                 -- PROGRAM ARGS...
 *
 * --fd opens PATH read-only at fd N (a file, or a directory for bwrap --bind-fd); --fdw creates
 * PATH (must not exist) write-only at fd N. --init-report gives the run the write end of a pipe at
 * fd N (runbox-init writes "<nonce> <nanoseconds>" lines there, see init.c) and creates PATH (must
 * not exist): once every process of the run is reaped, the supervisor copies the well-formed lines
 * it read from the pipe into PATH, so Runbox reads them from its own staging dir, never from a place
 * the run could reach.
 *
 *   runbox-launch --mount-box DIR SIZE_BYTES NR_INODES UID | --umount-box DIR
 *
 * mounts or detaches the persistent work dir of a run with a compile step (see box.c).
 * Failure of any step prints "runbox-launch: ..." on stderr and exits 125 before anything of the
 * user's runs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "filter.h"
#include "rlimits.h"

#include "box.h"

#define LAUNCH_FAILED 125
#define MAX_ITEMS 32

static void die(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("runbox-launch: ", stderr);
    vfprintf(stderr, fmt, ap);
    if (errno) fprintf(stderr, ": %s", strerror(errno));
    fputc('\n', stderr);
    va_end(ap);
    _exit(LAUNCH_FAILED);
}

static long parse_long(const char *s, const char *what) {
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || end == s) { errno = 0; die("bad %s '%s'", what, s); }
    return v;
}

struct fd_item { int fd; const char *path; int writable; };
struct rlimit_item { int resource; rlim_t soft, hard; };

static int rlimit_resource(const char *name) {
    int res = rlimit_by_name(name);
    if (res < 0) { errno = 0; die("unknown rlimit '%s'", name); }
    return res;
}

static rlim_t parse_rlim(const char *s) {
    if (strcmp(s, "inf") == 0) return RLIM_INFINITY;
    return (rlim_t) parse_long(s, "rlimit value");
}

static int build_seccomp(int target_fd) {
    scmp_filter_ctx ctx = runbox_filter(die);
    int fd = memfd_create("runbox-seccomp", 0);
    if (fd < 0) die("memfd_create");
    if (seccomp_export_bpf(ctx, fd) < 0) die("seccomp_export_bpf");
    seccomp_release(ctx);
    if (lseek(fd, 0, SEEK_SET) < 0) die("lseek");
    if (fd != target_fd) {
        if (dup2(fd, target_fd) < 0) die("dup2 seccomp fd");
        close(fd);
    }
    return target_fd;
}

/* The supervisor's end of the init report pipe (-1: none) and the file the lines go to. */
static int report_read = -1;
static int report_file = -1;

/* Copies "<32 hex> <digits>\n" lines from the report pipe into the report file; anything else is dropped. */
static void copy_report(void) {
    if (report_read < 0) return;
    char buf[4096];
    size_t used = 0;
    for (;;) {
        ssize_t r = read(report_read, buf + used, sizeof buf - 1 - used);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        used += (size_t) r;
        if (used == sizeof buf - 1) break;
    }
    buf[used] = 0;
    int lines = 0;
    for (char *line = buf, *nl; (nl = strchr(line, '\n')) && lines < 8; line = nl + 1) {
        *nl = 0;
        size_t hex = strspn(line, "0123456789abcdef");
        size_t digits = hex == 32 && line[32] == ' ' ? strspn(line + 33, "0123456789") : 0;
        if (digits == 0 || digits > 18 || line[33 + digits] != 0) continue;
        dprintf(report_file, "%s\n", line);
        lines++;
    }
    close(report_read);
    close(report_file);
}

/* bwrap's pid while it is not yet reaped; read by the SIGTERM handler */
static volatile sig_atomic_t run_pid;

static void end_run(int sig) {
    (void) sig;
    pid_t pid = (pid_t) run_pid;
    if (pid > 0) kill(pid, SIGKILL);
}

/* Reaps bwrap and every orphan of the run until none is left; returns bwrap's exit status. */
static int supervise(pid_t child, const sigset_t *unblock) {
    run_pid = child;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = end_run;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGTERM, &sa, NULL) < 0) die("sigaction");
    if (sigprocmask(SIG_SETMASK, unblock, NULL) < 0) die("sigprocmask");
    /* nothing of the run's stdio or inputs stays open here; stderr stays for our own messages */
    close(0);
    close(1);
    for (int fd = 3; fd < 1024; fd++) if (fd != report_read && fd != report_file) close(fd);
    int exitc = LAUNCH_FAILED;
    for (;;) {
        int status;
        pid_t pid = waitpid(-1, &status, 0);
        if (pid < 0) {
            if (errno == EINTR) continue;
            if (errno == ECHILD) break;
            die("waitpid");
        }
        if (pid == child) {
            run_pid = 0;
            exitc = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
        }
    }
    /* every writer of the report pipe is gone now: what it holds is all there will be */
    copy_report();
    return exitc;
}

static void write_pid(const char *procs_file) {
    int fd = open(procs_file, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) die("open %s", procs_file);
    char buf[32];
    int n = snprintf(buf, sizeof buf, "%d\n", (int) getpid());
    if (write(fd, buf, (size_t) n) != n) die("join cgroup %s", procs_file);
    close(fd);
}

static void place_fd(const struct fd_item *item) {
    int flags = item->writable ? (O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW) : (O_RDONLY | O_NOFOLLOW);
    int fd = open(item->path, flags, 0600);
    if (fd < 0) die("open %s", item->path);
    if (fd != item->fd) {
        if (dup2(fd, item->fd) < 0) die("dup2 %s", item->path);
        close(fd);
    }
}

int main(int argc, char **argv) {
    const char *cgroup_procs[MAX_ITEMS];
    struct fd_item fds[MAX_ITEMS];
    struct rlimit_item rlimits[MAX_ITEMS];
    int n_cgroups = 0, n_fds = 0, n_rlimits = 0, seccomp_fd = -1, report_fd = -1;
    const char *report_path = NULL;
    long uid = -1, gid = -1;
    pid_t parent = getppid();
    if (argc > 1 && (strcmp(argv[1], "--mount-box") == 0 || strcmp(argv[1], "--umount-box") == 0))
        return box_main(argc, argv);

    int i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) { i++; break; }
        if (i + 1 >= argc) { errno = 0; die("option %s needs a value", a); }
        const char *v = argv[++i];
        if (strcmp(a, "--cgroup-procs") == 0 && n_cgroups < MAX_ITEMS) {
            cgroup_procs[n_cgroups++] = v;
        } else if ((strcmp(a, "--fd") == 0 || strcmp(a, "--fdw") == 0) && n_fds < MAX_ITEMS) {
            const char *eq = strchr(v, '=');
            if (!eq) { errno = 0; die("--fd wants N=PATH, got '%s'", v); }
            char num[16];
            size_t len = (size_t) (eq - v);
            if (len == 0 || len >= sizeof num) { errno = 0; die("bad fd in '%s'", v); }
            memcpy(num, v, len); num[len] = 0;
            fds[n_fds].fd = (int) parse_long(num, "fd");
            if (fds[n_fds].fd < 3) { errno = 0; die("fd %d is reserved for stdio", fds[n_fds].fd); }
            fds[n_fds].path = eq + 1;
            fds[n_fds].writable = strcmp(a, "--fdw") == 0;
            n_fds++;
        } else if (strcmp(a, "--rlimit") == 0 && n_rlimits < MAX_ITEMS) {
            char name[16], soft[32], hard[32];
            if (sscanf(v, "%15[a-z]=%31[0-9inf]:%31[0-9inf]", name, soft, hard) != 3) {
                errno = 0; die("--rlimit wants NAME=SOFT:HARD, got '%s'", v);
            }
            rlimits[n_rlimits].resource = rlimit_resource(name);
            rlimits[n_rlimits].soft = parse_rlim(soft);
            rlimits[n_rlimits].hard = parse_rlim(hard);
            n_rlimits++;
        } else if (strcmp(a, "--uid") == 0) {
            uid = parse_long(v, "uid");
        } else if (strcmp(a, "--gid") == 0) {
            gid = parse_long(v, "gid");
        } else if (strcmp(a, "--init-report") == 0) {
            const char *eq = strchr(v, '=');
            if (!eq || eq == v || eq - v > 4) { errno = 0; die("--init-report wants N=PATH, got '%s'", v); }
            char num[8];
            memcpy(num, v, (size_t) (eq - v)); num[eq - v] = 0;
            report_fd = (int) parse_long(num, "report fd");
            if (report_fd < 3) { errno = 0; die("fd %d is reserved for stdio", report_fd); }
            report_path = eq + 1;
        } else if (strcmp(a, "--seccomp-fd") == 0) {
            seccomp_fd = (int) parse_long(v, "seccomp fd");
        } else {
            errno = 0;
            die("unknown option %s", a);
        }
    }
    if (i >= argc) { errno = 0; die("no program to run after --"); }
    if (uid <= 0 || gid <= 0) { errno = 0; die("--uid and --gid must name an unprivileged user (> 0)"); }

    /* 1. inputs, while still privileged enough to read Runbox's private staging dir */
    for (int k = 0; k < n_fds; k++) place_fd(&fds[k]);
    /* 2. seccomp filter, handed to bwrap which installs it right before exec of the program */
    if (seccomp_fd >= 0) build_seccomp(seccomp_fd);
    /* the init report: a pipe whose write end goes to the run at report_fd, and a file for the supervisor */
    if (report_fd >= 0) {
        report_file = open(report_path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (report_file < 0) die("open %s", report_path);
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0) die("pipe");
        report_read = p[0];
        /* the supervisor's own ends are free fds (below the fixed ones), never the run's report fd */
        if (report_read == report_fd || report_file == report_fd) { errno = 0; die("report fd %d is taken", report_fd); }
        if (p[1] != report_fd) {
            if (dup2(p[1], report_fd) < 0) die("dup2 report fd");
            close(p[1]);
        } else if (fcntl(report_fd, F_SETFD, 0) < 0) {
            die("report fd");
        }
    }

    /* the supervisor: dies with the worker, adopts the run's orphans; SIGTERM waits until it can act */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) die("pdeathsig");
    if (getppid() != parent) { errno = 0; die("worker exited before the run started"); }
    if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) die("child subreaper");
    sigset_t term, old_mask;
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    if (sigprocmask(SIG_BLOCK, &term, &old_mask) < 0) die("sigprocmask");
    pid_t supervisor = getpid();
    pid_t child = fork();
    if (child < 0) die("fork");
    if (child > 0) {
        if (report_fd >= 0) close(report_fd); /* only the run writes reports */
        return supervise(child, &old_mask);
    }
    if (report_read >= 0) close(report_read);
    if (report_file >= 0) close(report_file);
    if (sigprocmask(SIG_SETMASK, &old_mask, NULL) < 0) die("sigprocmask");
    /* 3. cgroups */
    for (int k = 0; k < n_cgroups; k++) write_pid(cgroup_procs[k]);
    /* 4. rlimits: the hard limits cannot be raised again once privileges are gone */
    for (int k = 0; k < n_rlimits; k++) {
        struct rlimit rl = {rlimits[k].soft, rlimits[k].hard};
        if (setrlimit(rlimits[k].resource, &rl) < 0) die("setrlimit %d", rlimits[k].resource);
    }
    /* 5. privileges */
    if (setgroups(0, NULL) < 0) die("setgroups");
    if (setresgid((gid_t) gid, (gid_t) gid, (gid_t) gid) < 0) die("setresgid %ld", gid);
    if (setresuid((uid_t) uid, (uid_t) uid, (uid_t) uid) < 0) die("setresuid %ld", uid);
    if (setresuid(0, 0, 0) == 0) { errno = 0; die("privileges could be regained after dropping them"); }
    /* 6. die with the supervisor (set after the uid change, which clears it) */
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) die("no_new_privs");
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) die("pdeathsig");
    if (getppid() != supervisor) { errno = 0; die("supervisor exited before the run started"); }
    /* 7. nothing of Runbox's open files goes further than the fds named above */
    int keep[MAX_ITEMS + 2];
    int n_keep = 0;
    for (int k = 0; k < n_fds; k++) keep[n_keep++] = fds[k].fd;
    if (seccomp_fd >= 0) keep[n_keep++] = seccomp_fd;
    if (report_fd >= 0) keep[n_keep++] = report_fd;
    for (int fd = 3; fd < 1024; fd++) {
        int kept = 0;
        for (int k = 0; k < n_keep; k++) if (keep[k] == fd) kept = 1;
        if (!kept) close(fd);
    }
    execv(argv[i], &argv[i]);
    die("exec %s", argv[i]);
    return LAUNCH_FAILED;
}
