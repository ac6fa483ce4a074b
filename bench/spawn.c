/*
 * The bare baseline of the benchmark: spawns a program directly (posix_spawn, no sandbox), with its
 * stdout and stderr on pipes read to end of file and stdin from /dev/null, as Runbox's sandbox does,
 * and waits for it. No JVM in the way, so this is the cheapest honest way to run a program here.
 *
 *   spawn -n COUNT [-C DIR] [-e NAME=VALUE]... [-x EXPECTED] -- PROGRAM [ARG]...
 *       runs COUNT times one after another; prints each run's latency in nanoseconds, one per line
 *   spawn -p PARALLEL -w WARMUP_SEC -d SECONDS [same options] -- PROGRAM [ARG]...
 *       PARALLEL threads spawn back to back for WARMUP_SEC + SECONDS; prints
 *       "runs=R seconds=S failures=F" counting the runs that ended inside the last SECONDS
 *
 * A run counts as failed (and is not counted as a run) unless it exits 0 and, with -x, its stdout is
 * exactly EXPECTED. Exit status: 0 when every run succeeded, 1 otherwise, 2 on usage errors.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_ENV 64
#define OUT_CAP 4096

static char **argv_run;
static char *envp_run[MAX_ENV + 1];
static int n_env;
static const char *dir;
static const char *expected;
static double warm_end, run_end; /* monotonic seconds */
static atomic_long runs_in_window, failures;

static double now_sec(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static void die(const char *what) {
    perror(what);
    exit(2);
}

/* Reads both pipes to end of file; keeps up to OUT_CAP bytes of stdout. */
static size_t drain(int out, int err, char *buf) {
    size_t kept = 0;
    char scratch[4096];
    struct pollfd fds[2] = {{out, POLLIN, 0}, {err, POLLIN, 0}};
    int open_fds = 2;
    while (open_fds > 0) {
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR) continue;
            die("poll");
        }
        for (int i = 0; i < 2; i++) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            ssize_t n = read(fds[i].fd, scratch, sizeof scratch);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                close(fds[i].fd);
                fds[i].fd = -1;
                open_fds--;
            } else if (i == 0 && kept < OUT_CAP) {
                size_t take = (size_t) n < OUT_CAP - kept ? (size_t) n : OUT_CAP - kept;
                memcpy(buf + kept, scratch, take);
                kept += take;
            }
        }
    }
    return kept;
}

/* One run: returns its latency in nanoseconds, or -1 when it failed. */
static long run_once(void) {
    int out[2], err[2];
    if (pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC)) die("pipe2");
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_adddup2(&fa, err[1], 2);
    if (dir) posix_spawn_file_actions_addchdir_np(&fa, dir);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t pid;
    int rc = posix_spawn(&pid, argv_run[0], &fa, NULL, argv_run, envp_run);
    posix_spawn_file_actions_destroy(&fa);
    close(out[1]);
    close(err[1]);
    if (rc != 0) {
        errno = rc;
        die("posix_spawn");
    }
    char buf[OUT_CAP + 1];
    size_t kept = drain(out[0], err[0], buf);
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) die("waitpid");
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    buf[kept] = 0;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return -1;
    if (expected && (kept != strlen(expected) || memcmp(buf, expected, kept) != 0)) return -1;
    return (t1.tv_sec - t0.tv_sec) * 1000000000L + (t1.tv_nsec - t0.tv_nsec);
}

static void *spawner(void *unused) {
    (void) unused;
    while (now_sec() < run_end) {
        long ns = run_once();
        double end = now_sec();
        if (ns < 0) atomic_fetch_add(&failures, 1);
        else if (end >= warm_end && end < run_end) atomic_fetch_add(&runs_in_window, 1);
    }
    return NULL;
}

static void usage(void) {
    fprintf(stderr, "usage: spawn (-n COUNT | -p PARALLEL -w WARMUP_SEC -d SECONDS) [-C DIR] [-e NAME=VALUE]..."
                    " [-x EXPECTED] -- PROGRAM [ARG]...\n");
    exit(2);
}

int main(int argc, char **argv) {
    long count = 0, parallel = 1;
    double warmup = 0, seconds = 0;
    int opt;
    while ((opt = getopt(argc, argv, "n:p:w:d:C:e:x:")) != -1) {
        switch (opt) {
            case 'n': count = atol(optarg); break;
            case 'p': parallel = atol(optarg); break;
            case 'w': warmup = atof(optarg); break;
            case 'd': seconds = atof(optarg); break;
            case 'C': dir = optarg; break;
            case 'e':
                if (n_env == MAX_ENV) usage();
                envp_run[n_env++] = optarg;
                break;
            case 'x': expected = optarg; break;
            default: usage();
        }
    }
    if (optind >= argc || (count <= 0) == (seconds <= 0) || parallel < 1 || parallel > 1024) usage();
    argv_run = argv + optind;
    if (count > 0) {
        for (long i = 0; i < count; i++) {
            long ns = run_once();
            if (ns < 0) atomic_fetch_add(&failures, 1);
            else printf("%ld\n", ns);
        }
        if (failures) fprintf(stderr, "spawn: %ld of %ld runs failed\n", (long) failures, count);
        return failures ? 1 : 0;
    }
    double start = now_sec();
    warm_end = start + warmup;
    run_end = warm_end + seconds;
    pthread_t threads[1024];
    for (long i = 0; i < parallel; i++) {
        if (pthread_create(&threads[i], NULL, spawner, NULL)) die("pthread_create");
    }
    for (long i = 0; i < parallel; i++) pthread_join(threads[i], NULL);
    printf("runs=%ld seconds=%.3f failures=%ld\n", (long) runs_in_window, seconds, (long) failures);
    return failures ? 1 : 0;
}
