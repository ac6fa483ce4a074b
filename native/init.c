/*
 * runbox-init: the first process inside a prepared sandbox.
 *
 * Two modes. "--serve" (bubblewrap's environments; with "--container", the Docker sandbox's reused
 * containers) makes it an environment's pid 1 that serves many runs, each in namespaces of its own:
 * see "serve mode" below. Without arguments (the Docker sandbox with sandbox-reuse=false, where a
 * container serves one run) it takes one job and execs the program, as follows.
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
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
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

/* Reaps every child that ends (orphans of the run come to init) until CHILD does; its wait status. */
static int reap_until(pid_t child) {
    for (;;) {
        int st;
        pid_t pid = waitpid(-1, &st, 0);
        if (pid < 0) {
            if (errno == EINTR) continue;
            fail("waitpid");
        }
        if (pid == child) return st;
    }
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

static int serve(int argc, char **argv);

int main(int main_argc, char **main_argv) {
    if (main_argc > 1 && strcmp(main_argv[1], "--serve") == 0) return serve(main_argc, main_argv);
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
    int status = reap_until(child);
    long long took = now_ns() - start;
    char line[NONCE_HEX + 32];
    int n = snprintf(line, sizeof line, "%s %lld\n", nonce, took);
    /* should it fail, Runbox measures the time itself: the program's status matters more */
    if (write(REPORT_FD, line, (size_t) n) != n) dprintf(2, "runbox-init: report: %s\n", strerror(errno));
    _exit(WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status));
}

/*
 * ---- serve mode: one environment, many runs ----------------------------------------------------
 *
 *   /.runbox/init --serve TMPFS_BYTES fresh-box|host-box [--container IO_DIR]
 *
 * With --container (the Docker sandbox: a container is the environment) init is the container's
 * pid 1, started by Docker as the run's uid with no capability, and makes what bwrap makes for it
 * elsewhere: it opens IO_DIR's FIFOs (Runbox's host-side ends) as its stdin ("jobs"), stdout
 * ("frames") and stderr ("said"), enters a user namespace of its own that maps only its uid (so it
 * holds capabilities there, and only there), and builds Runbox's seccomp filter itself. Each run then
 * also gets a fresh mqueue on /dev/mqueue, an empty read-only tmpfs over IO_DIR, and Docker's /proc
 * masks (kcore, keys, timer_list… on /dev/null; acpi, scsi empty), since the container is given no
 * masks of its own under /proc (the kernel lets a user namespace mount a fresh /proc only where no
 * part of /proc is hidden). Docker's /dev holds device nodes of its own, so it is made read-only
 * without nodev.
 *
 * The environment (bwrap's user, pid, mount, network, IPC and UTS namespaces, its uid, cgroup and
 * this process) outlives its runs; nothing a run does outlives the run. Init keeps the capabilities
 * bwrap leaves it in its user namespace (bwrap --cap-add ALL; no seccomp filter from bwrap) and uses
 * them only to make each run's namespaces; the program never holds one. Jobs come on stdin one after
 * another, each "go+stdin" (the program's stdin is in the job: stdin cannot end with end of file
 * here), or after a "prep": then steps 1 and 2 (but the files) are done at once, before the job is
 * known, and the reaper reads the job itself when it comes, so that a run does not wait for its
 * namespaces and mounts (Runbox sends "prep" once it has checked the run before: no reaper exists
 * while it checks). Per job:
 *
 *   1. init clones the run's pid 1 ("the reaper") into new pid, mount, IPC, network and UTS
 *      namespaces: the run's processes, SysV objects, POSIX queues, sockets (abstract ones included),
 *      ports, TIME_WAIT entries, hostname and /proc are the run's own and die with it;
 *   2. the reaper puts fresh tmpfs mounts on /tmp, /dev/shm and (fresh-box) /box, a read-only /dev
 *      with a fresh devpts, a /proc of the new pid namespace (its sys, sysrq-trigger, irq and bus
 *      read-only, as bwrap does), brings up loopback, enters a session of its own (so nothing the
 *      program does to its process group or session reaches init) and writes the job's files;
 *   3. it forks the program, which sets signal dispositions, mask, rlimits, umask, stdin and its
 *      environment anew, drops every capability (bounding and ambient sets too, securebits locked),
 *      sets no_new_privs, loads Runbox's seccomp filter (built by runbox-launch, fd 10) and execs;
 *   4. when the program exits the reaper reports its status and time (fork to reap) on a pipe only
 *      it holds and exits; the kernel kills what is left of the run's pid namespace, and init's wait
 *      for the reaper returns only once that namespace is empty;
 *   5. init frames everything the program wrote (stdout and stderr come through pipes made for this
 *      run), then, once both pipes reached end of file and the reaper is reaped, the end frame.
 *
 * Output to Runbox, on stdout, is frames: a tag byte, a 4-byte big-endian length, the bytes. 'o':
 * the program's stdout; 'e': its stderr; 'x' ends the run: "<status> <nanoseconds> clean|dirty",
 * status as bwrap reports it (128 + N for signal N), nanoseconds -1 when the reaper could not say.
 * "dirty" means init found something of the run it could not account for (a child of its own left,
 * its own nice value changed): Runbox keeps the result and destroys the environment. The program
 * cannot forge a frame: it never holds init's stdout.
 */
#define SECCOMP_FD 10
#define FRAME_OUT 'o'
#define FRAME_ERR 'e'
#define FRAME_END 'x'

static struct sock_fprog seccomp_prog;
/* --container: IO_DIR, hidden from every run; NULL in bwrap's environments */
static const char *container_io;

/* The BPF program runbox-launch exported at fd 10, read once: every program loads it. */
static void read_seccomp(void) {
    size_t cap = 4096, used = 0;
    char *buf = malloc(cap);
    if (!buf) fail("out of memory");
    for (;;) {
        if (used == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
            if (!buf) fail("out of memory");
        }
        ssize_t r = read(SECCOMP_FD, buf + used, cap - used);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) fail("read seccomp filter (fd %d)", SECCOMP_FD);
        if (r == 0) break;
        used += (size_t) r;
    }
    close(SECCOMP_FD);
    if (used == 0 || used % sizeof(struct sock_filter)) { errno = 0; fail("malformed seccomp filter"); }
    seccomp_prog.len = (unsigned short) (used / sizeof(struct sock_filter));
    seccomp_prog.filter = (struct sock_filter *) buf;
}

/* --container: the filter of native/filter.c, compiled to BPF once (through a memfd): every program loads it. */
static void build_seccomp(void) {
    scmp_filter_ctx ctx = runbox_filter(fail);
    int fd = memfd_create("runbox-filter", MFD_CLOEXEC);
    if (fd < 0) fail("memfd for the seccomp filter");
    int rc = seccomp_export_bpf(ctx, fd);
    if (rc < 0) { errno = -rc; fail("export the seccomp filter"); }
    seccomp_release(ctx);
    if (lseek(fd, 0, SEEK_SET) < 0) fail("rewind the seccomp filter");
    if (dup2(fd, SECCOMP_FD) < 0) fail("dup2 the seccomp filter");
    close(fd);
    read_seccomp();
}

/* --container: one of IO_DIR's FIFOs as fd `target` (open blocks until Runbox opens its end). */
static void open_io(const char *dir, const char *name, int flags, int target) {
    char path[4096];
    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int) sizeof path) { errno = 0; fail("IO_DIR too long"); }
    int fd = open(path, flags | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) fail("open %s", path);
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISFIFO(st.st_mode)) { errno = 0; fail("%s is not a FIFO", path); }
    if (dup2(fd, target) < 0) fail("dup2 %s", path);
    close(fd);
}

static void write_proc_file(const char *path, const char *text) {
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) fail("open %s", path);
    size_t len = strlen(text);
    if (write(fd, text, len) != (ssize_t) len) fail("write %s", path);
    close(fd);
}

/* --container: a user namespace mapping only this process's uid and gid, in which it holds capabilities. */
static void enter_user_namespace(void) {
    uid_t uid = getuid();
    gid_t gid = getgid();
    if (unshare(CLONE_NEWUSER) < 0) fail("unshare a user namespace");
    char map[64];
    snprintf(map, sizeof map, "%u %u 1\n", (unsigned) uid, (unsigned) uid);
    write_proc_file("/proc/self/uid_map", map);
    write_proc_file("/proc/self/setgroups", "deny");
    snprintf(map, sizeof map, "%u %u 1\n", (unsigned) gid, (unsigned) gid);
    write_proc_file("/proc/self/gid_map", map);
}

static void write_all(int fd, const void *buf, size_t len) {
    const char *p = buf;
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) fail("write to Runbox");
        p += w;
        len -= (size_t) w;
    }
}

static void frame(char tag, const char *data, size_t len) {
    unsigned char head[5] = {(unsigned char) tag, (unsigned char) (len >> 24), (unsigned char) (len >> 16),
                             (unsigned char) (len >> 8), (unsigned char) len};
    write_all(1, head, sizeof head);
    if (len) write_all(1, data, len);
}

struct serve_job {
    char **argv, **env;
    size_t n_files;
    char **names, **contents;
    size_t *lens;
    int stdin_fd;
    struct rlimit_item *limits;
    size_t n_limits;
};

/* The job after its "go+stdin". */
static void read_serve_job_body(struct serve_job *job) {
    size_t argc = read_count();
    if (argc == 0) { errno = 0; fail("empty command"); }
    job->argv = read_strings(argc);
    job->env = read_strings(read_count());
    job->n_files = read_count();
    job->names = calloc(job->n_files + 1, sizeof(char *));
    job->contents = calloc(job->n_files + 1, sizeof(char *));
    job->lens = calloc(job->n_files + 1, sizeof(size_t));
    if (!job->names || !job->contents || !job->lens) fail("out of memory");
    for (size_t i = 0; i < job->n_files; i++) {
        job->names[i] = read_netstring(NULL, 0);
        job->contents[i] = read_netstring(&job->lens[i], 0);
    }
    job->stdin_fd = stdin_from_job();
    job->n_limits = read_count();
    job->limits = calloc(job->n_limits + 1, sizeof *job->limits);
    if (!job->limits) fail("out of memory");
    for (size_t i = 0; i < job->n_limits; i++) {
        char *spec = read_netstring(NULL, 0);
        char name[16], soft[32], hard[32];
        if (sscanf(spec, "%15[a-z]=%31[0-9inf]:%31[0-9inf]", name, soft, hard) != 3) { errno = 0; fail("bad rlimit '%s'", spec); }
        job->limits[i].resource = rlimit_resource(name);
        job->limits[i].rl = (struct rlimit) {parse_rlim(soft), parse_rlim(hard)};
        free(spec);
    }
}

/* A whole job, "go+stdin" first; end of file before it: the environment is being destroyed (exit 0). */
static void read_serve_job(struct serve_job *job) {
    char *go = read_netstring(NULL, 1);
    if (strcmp(go, "go+stdin") != 0) { errno = 0; fail("expected 'go+stdin', got '%.16s'", go); }
    free(go);
    read_serve_job_body(job);
}

static void free_serve_job(struct serve_job *job) {
    for (char **a = job->argv; *a; a++) free(*a);
    for (char **e = job->env; *e; e++) free(*e);
    free(job->argv);
    free(job->env);
    for (size_t i = 0; i < job->n_files; i++) { free(job->names[i]); free(job->contents[i]); }
    free(job->names);
    free(job->contents);
    free(job->lens);
    free(job->limits);
    if (job->stdin_fd >= 0) close(job->stdin_fd);
}

static void mount_tmpfs(const char *dir, unsigned long long bytes) {
    char options[64];
    snprintf(options, sizeof options, "size=%llu,mode=1777", bytes);
    if (mount("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV, options) < 0) fail("mount tmpfs on %s", dir);
}

static void ro_bind(const char *path) {
    if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0) {
        if (errno == ENOENT) return;
        fail("bind %s", path);
    }
    if (mount(NULL, path, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
        fail("remount %s read-only", path);
}

static void loopback_up(void) {
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) fail("socket");
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    strcpy(ifr.ifr_name, "lo");
    if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0) fail("loopback flags");
    ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
    if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0) fail("loopback up");
    close(s);
}

/* Every capability gone for good: bounding and ambient sets, securebits locked so none comes back. */
static void drop_capabilities(void) {
    if (prctl(PR_SET_SECUREBITS, (1 << 0) | (1 << 1) | (1 << 2) | (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7), 0, 0, 0) < 0)
        fail("securebits");
    for (int cap = 0; cap <= 63; cap++) {
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL) fail("drop capability %d", cap);
    }
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0) fail("clear ambient capabilities");
    struct __user_cap_header_struct head = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof data);
    if (syscall(SYS_capset, &head, data) < 0) fail("capset");
    if (syscall(SYS_capget, &head, data) < 0) fail("capget");
    for (int i = 0; i < 2; i++) {
        if (data[i].effective || data[i].permitted || data[i].inheritable) { errno = 0; fail("capabilities left after dropping them"); }
    }
}

/* The program: everything of its process set anew, then exec. Never returns. */
static void start_program(const struct serve_job *job) {
    default_signals();
    if (dup2(job->stdin_fd, 0) < 0) fail("dup2 stdin");
    for (size_t i = 0; i < job->n_limits; i++) {
        if (setrlimit(job->limits[i].resource, &job->limits[i].rl) < 0) fail("setrlimit %d", job->limits[i].resource);
    }
    umask(022);
    drop_capabilities();
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) fail("no_new_privs");
    if (syscall(SYS_close_range, 3, ~0U, 0) < 0) fail("close fds");
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &seccomp_prog, 0, 0) < 0) fail("seccomp");
    execve(job->argv[0], job->argv, job->env);
    dprintf(2, "runbox-init: exec %s: %s\n", job->argv[0], strerror(errno));
    _exit(EXEC_FAILED);
}

/*
 * The run's pid 1 (see the top of serve mode): makes the run's places, starts the program, reaps.
 * Made ahead (job NULL, after "prep"), it makes the places first and then reads the job itself from
 * the job pipe, which init leaves alone until this reaper has ended; end of file instead of a job
 * (the environment is being destroyed) ends it with NO_JOB and no report.
 */
static void reaper(const struct serve_job *job, unsigned long long tmpfs_bytes, int fresh_box, int out_w, int err_w, int rep_w) {
    if (dup2(out_w, 1) < 0 || dup2(err_w, 2) < 0) _exit(INIT_FAILED);
    close(out_w);
    close(err_w);
    if (job) close(0); /* the job pipe: the next job is init's, never the program's */
    if (setsid() < 0) fail("setsid");
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) fail("make mounts private");
    mount_tmpfs("/tmp", tmpfs_bytes);
    mount_tmpfs("/dev/shm", tmpfs_bytes);
    if (fresh_box) mount_tmpfs("/box", tmpfs_bytes);
    if (container_io) {
        /* the container's mqueue is of the container's IPC namespace: the run's is its own */
        if (mount("mqueue", "/dev/mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0 && errno != ENOENT)
            fail("mount mqueue");
        if (mount("tmpfs", container_io, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4096,mode=0755") < 0)
            fail("hide %s", container_io);
    }
    /* bwrap's /dev holds bind mounts of the host's nodes; Docker's, nodes of its own tmpfs (no nodev there) */
    if (mount(NULL, "/dev", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | (container_io ? 0 : MS_NODEV), NULL) < 0)
        fail("remount /dev read-only");
    if (mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=620") < 0) fail("mount devpts");
    if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) fail("mount proc");
    ro_bind("/proc/sys");
    ro_bind("/proc/sysrq-trigger");
    ro_bind("/proc/irq");
    ro_bind("/proc/bus");
    if (container_io) {
        static const char *const hidden_files[] = {"/proc/kcore", "/proc/keys", "/proc/timer_list", "/proc/sched_debug",
                                                   "/proc/latency_stats"};
        for (size_t i = 0; i < sizeof hidden_files / sizeof hidden_files[0]; i++) {
            if (mount("/dev/null", hidden_files[i], NULL, MS_BIND, NULL) < 0 && errno != ENOENT) fail("mask %s", hidden_files[i]);
        }
        static const char *const hidden_dirs[] = {"/proc/acpi", "/proc/scsi"};
        for (size_t i = 0; i < sizeof hidden_dirs / sizeof hidden_dirs[0]; i++) {
            if (mount("tmpfs", hidden_dirs[i], "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4096") < 0 && errno != ENOENT)
                fail("mask %s", hidden_dirs[i]);
        }
        ro_bind("/proc/fs");
    }
    loopback_up();
    if (sethostname("runbox", 6) < 0) fail("sethostname");
    if (chdir("/box") < 0) fail("chdir /box");
    struct serve_job own;
    if (!job) {
        read_serve_job(&own); /* end of file instead: exit 0 without a report (see serve) */
        close(0); /* the next job is init's, never the program's */
        job = &own;
    }
    for (size_t i = 0; i < job->n_files; i++) write_file(job->names[i], job->contents[i], job->lens[i]);
    long long start = now_ns();
    pid_t child = fork();
    if (child < 0) fail("fork");
    if (child == 0) start_program(job);
    close(job->stdin_fd);
    int status = reap_until(child);
    long long took = now_ns() - start;
    dprintf(rep_w, "%d %lld\n", WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status), took);
    /* the kernel now kills what is left of the run's pid namespace; init's wait returns once it is empty */
    _exit(0);
}

/* Frames both outputs of the run until each reached end of file: then no process of the run holds them. */
static void relay(int out_r, int err_r) {
    struct pollfd p[2] = {{out_r, POLLIN, 0}, {err_r, POLLIN, 0}};
    static char buf[64 * 1024];
    int open_ends = 2;
    while (open_ends > 0) {
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR) continue;
            fail("poll");
        }
        for (int i = 0; i < 2; i++) {
            if (p[i].fd < 0 || !p[i].revents) continue;
            ssize_t r = read(p[i].fd, buf, sizeof buf);
            if (r < 0 && errno == EINTR) continue;
            if (r > 0) { frame(i == 0 ? FRAME_OUT : FRAME_ERR, buf, (size_t) r); continue; }
            close(p[i].fd);
            p[i].fd = -1;
            open_ends--;
        }
    }
}

static int serve(int argc, char **argv) {
    if (argc == 6 && strcmp(argv[4], "--container") == 0) {
        container_io = argv[5];
        open_io(container_io, "jobs", O_RDONLY, 0);
        open_io(container_io, "frames", O_WRONLY, 1);
        open_io(container_io, "said", O_WRONLY, 2);
    } else if (argc != 4) {
        errno = 0;
        fail("usage: --serve TMPFS_BYTES fresh-box|host-box [--container IO_DIR]");
    }
    unsigned long long tmpfs_bytes = strtoull(argv[2], NULL, 10);
    if (tmpfs_bytes == 0) { errno = 0; fail("bad tmpfs size '%s'", argv[2]); }
    int fresh_box = strcmp(argv[3], "fresh-box") == 0;
    if (!fresh_box && strcmp(argv[3], "host-box") != 0) { errno = 0; fail("bad box kind '%s'", argv[3]); }
    if (container_io) enter_user_namespace(); /* while /proc/self is still its own to write */
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) fail("not dumpable");
    if (prctl(PR_SET_NAME, "runbox-init", 0, 0, 0) < 0) fail("name");
    if (container_io) build_seccomp();
    else read_seccomp();
    ignore_signals();
    errno = 0;
    int nice_at_start = getpriority(PRIO_PROCESS, 0);
    if (errno) fail("getpriority");
    if (write(2, "R", 1) != 1) fail("cannot report readiness");
    for (;;) {
        /* "prep": make the next run's reaper and places now, before its job comes (the reaper reads it);
         * "go+stdin": a job, for a reaper made for it */
        char *what = read_netstring(NULL, 1); /* end of file here: the environment is being destroyed */
        int ahead = strcmp(what, "prep") == 0;
        if (!ahead && strcmp(what, "go+stdin") != 0) { errno = 0; fail("expected 'prep' or 'go+stdin', got '%.16s'", what); }
        free(what);
        struct serve_job job;
        if (!ahead) read_serve_job_body(&job);
        int out[2], err[2], rep[2];
        if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0 || pipe2(rep, O_CLOEXEC) < 0) fail("pipe");
        pid_t r = (pid_t) syscall(SYS_clone, CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWUTS | SIGCHLD,
                                  NULL, NULL, NULL, NULL);
        if (r < 0) fail("clone the run's namespaces");
        if (r == 0) {
            close(out[0]);
            close(err[0]);
            close(rep[0]);
            reaper(ahead ? NULL : &job, tmpfs_bytes, fresh_box, out[1], err[1], rep[1]);
        }
        close(out[1]);
        close(err[1]);
        close(rep[1]);
        if (!ahead) free_serve_job(&job);
        relay(out[0], err[0]);
        int st;
        while (waitpid(r, &st, 0) < 0) {
            if (errno != EINTR) fail("wait for the run");
        }
        char rep_line[64];
        ssize_t n;
        do n = read(rep[0], rep_line, sizeof rep_line - 1); while (n < 0 && errno == EINTR);
        close(rep[0]);
        /* a reaper made ahead that found end of file instead of a job: the environment is being destroyed */
        if (ahead && n == 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0) _exit(0);
        int code;
        long long took;
        if (n <= 0 || (rep_line[n] = 0, sscanf(rep_line, "%d %lld", &code, &took) != 2) || WIFSIGNALED(st) || WEXITSTATUS(st) != 0) {
            code = WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
            took = -1;
        }
        /* the reset's own checks: nothing of the run may be left that init can see */
        int clean = waitpid(-1, &st, WNOHANG) < 0 && errno == ECHILD;
        errno = 0;
        clean = clean && getpriority(PRIO_PROCESS, 0) == nice_at_start && errno == 0;
        char end[64];
        int len = snprintf(end, sizeof end, "%d %lld %s", code, took, clean ? "clean" : "dirty");
        frame(FRAME_END, end, (size_t) len);
        if (!clean) _exit(0); /* never serve another run */
    }
}
