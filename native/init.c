/*
 * runbox-init: the first process inside a prepared sandbox.
 *
 * A sandbox is made before its job exists (namespaces, mounts, cgroup, seccomp, unprivileged uid:
 * everything slow), with this program as its command. It says it is ready by writing "R" on stderr,
 * then waits on stdin for the job, sent by Runbox as netstrings ("<len>:<bytes>,"):
 *
 *   "go"  argc argv...  envc env...  filec (name content)...  rlimitc ("res=soft:hard")...
 *   "go+stdin"  argc argv...  envc env...  filec (name content)...  stdin  rlimitc ("res=soft:hard")...
 *
 * "go" may carry options after "+": "stdin" (as above), "seccomp" (load Runbox's seccomp filter,
 * native/filter.c, right before exec: where no launcher installed it, i.e. in a Docker container,
 * on top of Docker's own profile), "report" (a netstring follows "go": the run's nonce, 32 hex digits,
 * and the report goes to fd REPORT_FD, see below).
 * It writes the files into the working directory (a fresh tmpfs: nothing can have been planted
 * there), lowers the rlimits and execs the program; with "report" (the default sandbox, where init
 * is pid 1 of the run: bwrap --as-pid-1) it forks it instead: the child lowers its rlimits, puts
 * every signal disposition and the signal mask back to the defaults and execs the program, and init
 * stays as the run's pid 1, reaping every orphan. After "go", everything after
 * the job on stdin is the program's standard input. After "go+stdin", the job carries it and it is
 * put in a memfd as fd 0, for carriers that cannot end stdin with end of file (Docker's attach).
 * It never gains privileges: it runs as the sandbox's
 * uid, under seccomp, after no_new_privs.
 *
 * The program's own time: init reads CLOCK_MONOTONIC right before the fork that execs the program and
 * right after it reaps it, and with "report" writes "<nonce> <nanoseconds>\n" to REPORT_FD (a pipe
 * to runbox-launch, which hands the line to Runbox); so the time a run reports is the program's, not
 * that of Runbox's path around it. The program cannot forge the line: REPORT_FD is closed in it, and
 * init makes itself non-dumpable before it reads the job, so neither its fds nor the nonce in its
 * memory can be reached through /proc by the program (same uid). Init then exits with the program's
 * status (128 + N when a signal N killed it, as bwrap and tini report it). As pid 1 of its pid
 * namespace it gets no signal the program sends it but those it handles (none: it ignores them all
 * while it waits, which also holds where it is not pid 1), so kill(-1, SIGKILL) leaves it be.
 *
 * Exit 125 with a "runbox-init:" message on stderr means the job could not be started (a Runbox
 * failure, not the program's); exit 127 with "runbox-init: exec" means the program itself could not
 * be executed (whose fault that is depends on where it is: see PreparedSandbox). End of file before
 * "go" means the sandbox was discarded: exit 0.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "filter.h"
#include "rlimits.h"

#define INIT_FAILED 125
#define EXEC_FAILED 127
#define MAX_FIELD (64u * 1024 * 1024)
#define MAX_COUNT 4096
/* where the "report" line goes: a pipe runbox-launch holds the other end of (see launch.c --init-report) */
#define REPORT_FD 13
#define NONCE_HEX 32

static void fail(const char *fmt, ...) {
    char msg[512];
    int saved = errno;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (n < 0) n = 0;
    if ((size_t) n >= sizeof msg) n = sizeof msg - 1;
    dprintf(2, "runbox-init: %.*s%s%s\n", n, msg, saved ? ": " : "", saved ? strerror(saved) : "");
    _exit(INIT_FAILED);
}

/* Reads exactly n bytes from fd 0; never more, so what follows the job stays for the program. */
static void read_exact(char *buf, size_t n) {
    size_t done = 0;
    while (done < n) {
        ssize_t r = read(0, buf + done, n - done);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) { errno = r < 0 ? errno : 0; fail("job message cut short"); }
        done += (size_t) r;
    }
}

/* One netstring; returns a NUL-terminated heap copy (content may hold NULs: *len tells). */
static char *read_netstring(size_t *len, int eof_ok) {
    size_t n = 0;
    int digits = 0;
    for (;;) {
        char c;
        ssize_t r = read(0, &c, 1);
        if (r < 0 && errno == EINTR) continue;
        if (r == 0 && eof_ok && digits == 0) _exit(0);
        if (r <= 0) { errno = r < 0 ? errno : 0; fail("job message cut short"); }
        if (c == ':') break;
        if (c < '0' || c > '9' || ++digits > 9) { errno = 0; fail("malformed job message"); }
        n = n * 10 + (size_t) (c - '0');
    }
    if (digits == 0 || n > MAX_FIELD) { errno = 0; fail("malformed job message"); }
    char *s = malloc(n + 1);
    if (!s) fail("out of memory");
    read_exact(s, n);
    s[n] = 0;
    char comma;
    read_exact(&comma, 1);
    if (comma != ',') { errno = 0; fail("malformed job message"); }
    if (len) *len = n;
    return s;
}

static size_t read_count(void) {
    char *s = read_netstring(NULL, 0);
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    if (*s == 0 || *end || v > MAX_COUNT) { errno = 0; fail("bad count '%s'", s); }
    free(s);
    return (size_t) v;
}

static char **read_strings(size_t count) {
    char **v = calloc(count + 1, sizeof(char *));
    if (!v) fail("out of memory");
    for (size_t i = 0; i < count; i++) v[i] = read_netstring(NULL, 0);
    return v;
}

static void write_file(const char *name, const char *content, size_t len) {
    if (!*name || strchr(name, '/') || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
        errno = 0;
        fail("bad file name '%s'", name);
    }
    int fd = open(name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) fail("create %s", name);
    size_t done = 0;
    while (done < len) {
        ssize_t w = write(fd, content + done, len - done);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) fail("write %s", name);
        done += (size_t) w;
    }
    if (close(fd) < 0) fail("close %s", name);
}

static int rlimit_resource(const char *name) {
    int res = rlimit_by_name(name);
    if (res < 0) { errno = 0; fail("unknown rlimit '%s'", name); }
    return res;
}

static rlim_t parse_rlim(const char *s) {
    if (strcmp(s, "inf") == 0) return RLIM_INFINITY;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || end == s) { errno = 0; fail("bad rlimit value '%s'", s); }
    return (rlim_t) v;
}

/* The next netstring, in a memfd to be read from its start: the program's stdin once the job is read. */
static int stdin_from_job(void) {
    size_t len;
    char *data = read_netstring(&len, 0);
    int fd = memfd_create("stdin", MFD_CLOEXEC);
    if (fd < 0) fail("memfd_create");
    size_t done = 0;
    while (done < len) {
        ssize_t w = write(fd, data + done, len - done);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) fail("write stdin");
        done += (size_t) w;
    }
    if (lseek(fd, 0, SEEK_SET) < 0) fail("lseek stdin");
    free(data);
    return fd;
}

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long) t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* Every catchable signal back to its default and none blocked: the program's dispositions are its own. */
static void default_signals(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    sigemptyset(&sa.sa_mask);
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP) continue;
        if (sigaction(sig, &sa, NULL) == 0) continue;
        /* libc refuses the real-time signals it keeps to itself (32, 33), which a parent may have left
         * ignored (the JVM does): the kernel takes them; SIG_DFL needs no restorer */
        struct { void (*handler)(int); unsigned long flags; void (*restorer)(void); unsigned long mask; } k = {SIG_DFL, 0, NULL, 0};
        if (syscall(SYS_rt_sigaction, sig, &k, NULL, sizeof k.mask) < 0) fail("reset signal %d", sig);
    }
    sigset_t none;
    sigemptyset(&none);
    if (sigprocmask(SIG_SETMASK, &none, NULL) < 0) fail("sigprocmask");
}

/* While it waits, init ignores what the program can send it; faults of its own stay fatal. */
static void ignore_signals(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_IGN;
    sigemptyset(&sa.sa_mask);
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP || sig == SIGCHLD || sig == SIGSEGV || sig == SIGBUS
            || sig == SIGFPE || sig == SIGILL || sig == SIGABRT || sig == SIGSYS || sig == SIGTRAP) continue;
        sigaction(sig, &sa, NULL);
    }
}

struct rlimit_item { int resource; struct rlimit rl; };

/* What the program is started with, once the job is read. */
struct job {
    char **argv, **env;
    struct rlimit_item *limits;
    size_t n_limits;
    int job_stdin, load_filter;
};

/* Lowers the rlimits, gives the program its stdin (and filter), and execs it: never returns. */
static void exec_program(const struct job *job) {
    for (size_t i = 0; i < job->n_limits; i++) {
        if (setrlimit(job->limits[i].resource, &job->limits[i].rl) < 0) fail("setrlimit %d", job->limits[i].resource);
    }
    if (job->job_stdin >= 0) {
        /* the rest of the job was read from fd 0 above; now it becomes the program's stdin */
        if (dup2(job->job_stdin, 0) < 0) fail("dup2 stdin"); /* fd 0 does not inherit close-on-exec */
        close(job->job_stdin);
    }
    if (job->load_filter) {
        /* the filter may only be loaded without privileges under no_new_privs (Docker sets it too) */
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) fail("no_new_privs");
        scmp_filter_ctx ctx = runbox_filter(fail);
        int rc = seccomp_load(ctx);
        if (rc < 0) { errno = -rc; fail("seccomp_load"); }
        seccomp_release(ctx);
    }
    execve(job->argv[0], job->argv, job->env);
    dprintf(2, "runbox-init: exec %s: %s\n", job->argv[0], strerror(errno));
    _exit(EXEC_FAILED);
}

int main(void) {
    /* before anything of the job is read: the nonce and REPORT_FD stay out of the program's reach */
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) fail("not dumpable");
    /* its name in /proc/PID/comm (the file is /.runbox/init): as the run's pid 1 the program sees it,
     * and "init" would pass for the host's own init */
    if (prctl(PR_SET_NAME, "runbox-init", 0, 0, 0) < 0) fail("name");
    if (write(2, "R", 1) != 1) fail("cannot report readiness");

    char *go = read_netstring(NULL, 1);
    int stdin_in_job = 0, load_filter = 0, report = 0;
    if (strncmp(go, "go", 2) != 0 || (go[2] != 0 && go[2] != '+')) { errno = 0; fail("expected 'go'"); }
    for (char *opt = strtok(go + 2, "+"); opt; opt = strtok(NULL, "+")) {
        if (strcmp(opt, "stdin") == 0) stdin_in_job = 1;
        else if (strcmp(opt, "seccomp") == 0) load_filter = 1;
        else if (strcmp(opt, "report") == 0) report = 1;
        else { errno = 0; fail("unknown job option '%s'", opt); }
    }
    char *nonce = NULL;
    if (report) {
        size_t len;
        nonce = read_netstring(&len, 0);
        if (len != NONCE_HEX || strspn(nonce, "0123456789abcdef") != NONCE_HEX) { errno = 0; fail("bad nonce"); }
    }
    size_t argc = read_count();
    if (argc == 0) { errno = 0; fail("empty command"); }
    char **argv = read_strings(argc);
    char **env = read_strings(read_count());
    size_t files = read_count();
    for (size_t i = 0; i < files; i++) {
        char *name = read_netstring(NULL, 0);
        size_t len;
        char *content = read_netstring(&len, 0);
        write_file(name, content, len);
        free(name);
        free(content);
    }
    int job_stdin = stdin_in_job ? stdin_from_job() : -1; /* before the rlimits: fsize would cap it */
    size_t n_limits = read_count();
    struct rlimit_item *limits = calloc(n_limits + 1, sizeof *limits);
    if (!limits) fail("out of memory");
    for (size_t i = 0; i < n_limits; i++) {
        char *spec = read_netstring(NULL, 0);
        char name[16], soft[32], hard[32];
        if (sscanf(spec, "%15[a-z]=%31[0-9inf]:%31[0-9inf]", name, soft, hard) != 3) {
            errno = 0;
            fail("bad rlimit '%s'", spec);
        }
        limits[i].resource = rlimit_resource(name);
        limits[i].rl = (struct rlimit) {parse_rlim(soft), parse_rlim(hard)};
        free(spec);
    }
    struct job job = {argv, env, limits, n_limits, job_stdin, load_filter};
    if (!report) exec_program(&job); /* Docker: tini is pid 1, init gives the program its own pid */

    if (fcntl(REPORT_FD, F_SETFD, FD_CLOEXEC) < 0) fail("report fd %d", REPORT_FD);
    long long start = now_ns();
    pid_t child = fork();
    if (child < 0) fail("fork");
    if (child == 0) {
        default_signals();
        exec_program(&job);
    }
    /* nothing of the program's stdin or stdout stays open here: their ends are the program's business */
    ignore_signals();
    if (job_stdin >= 0) close(job_stdin);
    close(0);
    close(1);
    /* pid 1 of the run (bwrap --as-pid-1): every orphan comes here and is reaped; the run ends with
     * the program, when this process exits and the kernel kills what is left of the namespace */
    int status;
    for (;;) {
        int st;
        pid_t pid = waitpid(-1, &st, 0);
        if (pid < 0) {
            if (errno == EINTR) continue;
            fail("waitpid");
        }
        if (pid == child) { status = st; break; }
    }
    long long took = now_ns() - start;
    char line[NONCE_HEX + 32];
    int n = snprintf(line, sizeof line, "%s %lld\n", nonce, took);
    /* should it fail, Runbox measures the time itself: the program's status matters more */
    if (write(REPORT_FD, line, (size_t) n) != n) dprintf(2, "runbox-init: report: %s\n", strerror(errno));
    _exit(WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status));
}
