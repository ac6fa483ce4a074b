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
 * on top of Docker's own profile).
 * It writes the files into the working directory (a fresh tmpfs: nothing can have been planted
 * there), lowers its rlimits, and execs the program with the same pid. After "go", everything after
 * the job on stdin is the program's standard input. After "go+stdin", the job carries it and it is
 * put in a memfd as fd 0, for carriers that cannot end stdin with end of file (Docker's attach).
 * It never gains privileges: it runs as the sandbox's
 * uid, under seccomp, after no_new_privs.
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
#include <sys/resource.h>
#include <unistd.h>

#include "filter.h"
#include "rlimits.h"

#define INIT_FAILED 125
#define EXEC_FAILED 127
#define MAX_FIELD (64u * 1024 * 1024)
#define MAX_COUNT 4096

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

int main(void) {
    if (write(2, "R", 1) != 1) fail("cannot report readiness");

    char *go = read_netstring(NULL, 1);
    int stdin_in_job = 0, load_filter = 0;
    if (strncmp(go, "go", 2) != 0 || (go[2] != 0 && go[2] != '+')) { errno = 0; fail("expected 'go'"); }
    for (char *opt = strtok(go + 2, "+"); opt; opt = strtok(NULL, "+")) {
        if (strcmp(opt, "stdin") == 0) stdin_in_job = 1;
        else if (strcmp(opt, "seccomp") == 0) load_filter = 1;
        else { errno = 0; fail("unknown job option '%s'", opt); }
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
    size_t limits = read_count();
    for (size_t i = 0; i < limits; i++) {
        char *spec = read_netstring(NULL, 0);
        char name[16], soft[32], hard[32];
        if (sscanf(spec, "%15[a-z]=%31[0-9inf]:%31[0-9inf]", name, soft, hard) != 3) {
            errno = 0;
            fail("bad rlimit '%s'", spec);
        }
        struct rlimit rl = {parse_rlim(soft), parse_rlim(hard)};
        if (setrlimit(rlimit_resource(name), &rl) < 0) fail("setrlimit %s", spec);
        free(spec);
    }
    if (job_stdin >= 0) {
        /* the rest of the job was read from fd 0 above; now it becomes the program's stdin */
        if (dup2(job_stdin, 0) < 0) fail("dup2 stdin"); /* fd 0 does not inherit close-on-exec */
        close(job_stdin);
    }
    if (load_filter) {
        /* the filter may only be loaded without privileges under no_new_privs (Docker sets it too) */
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) fail("no_new_privs");
        scmp_filter_ctx ctx = runbox_filter(fail);
        int rc = seccomp_load(ctx);
        if (rc < 0) { errno = -rc; fail("seccomp_load"); }
        seccomp_release(ctx);
    }
    execve(argv[0], argv, env);
    dprintf(2, "runbox-init: exec %s: %s\n", argv[0], strerror(errno));
    _exit(EXEC_FAILED);
}
