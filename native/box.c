/*
 * The persistent work dir of a run with a compile step (runbox-launch's second mode).
 *
 *   runbox-launch --mount-box DIR SIZE_BYTES NR_INODES UID
 *   runbox-launch --umount-box DIR
 *
 * A compile and the run that follows need one /box that outlives a single bwrap (whose own tmpfs
 * dies with it), so Runbox has a tmpfs mounted on the host under its state dir: size- and
 * inode-capped, nosuid, nodev, its root owned by the run's uid with mode 0700. Runbox writes the
 * source into it before any user code runs, binds it into each phase's sandbox (bwrap --bind-fd),
 * and never reads from it: when the run is over it is detached (MNT_DETACH) and its dir removed, so
 * no path a program could have planted there is ever followed on the host.
 *
 * DIR must be an absolute path to a directory owned by root that no one else may write, named by
 * Runbox, never by a program. Its parents must be traversable by the run's uid (bwrap, unprivileged,
 * resolves a bind source by path, even for --bind-fd); Runbox makes them 0711, so a box is reached
 * only by its random name, and its 0700 root lets in only its own uid. Exits 0 on success; on
 * failure prints "runbox-launch: ..." and exits 125.
 */
#define _GNU_SOURCE
#include "box.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#define BOX_FAILED 125
#ifndef TMPFS_MAGIC
#define TMPFS_MAGIC 0x01021994
#endif

static void fail(const char *fmt, ...) {
    int saved = errno;
    va_list ap;
    va_start(ap, fmt);
    fputs("runbox-launch: ", stderr);
    vfprintf(stderr, fmt, ap);
    if (saved) fprintf(stderr, ": %s", strerror(saved));
    fputc('\n', stderr);
    va_end(ap);
    _exit(BOX_FAILED);
}

static unsigned long long parse_size(const char *s, const char *what) {
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || end == s || s[0] == '-' || v == 0) { errno = 0; fail("bad %s '%s'", what, s); }
    return v;
}

/* Opens DIR without following a symlink at any point we control, and checks it is Runbox's. */
static int open_private_dir(const char *dir) {
    if (dir[0] != '/') { errno = 0; fail("box dir '%s' is not absolute", dir); }
    int fd = open(dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) fail("open box dir %s", dir);
    struct stat st;
    if (fstat(fd, &st) < 0) fail("stat box dir %s", dir);
    if (st.st_uid != 0 || (st.st_mode & 022)) {
        errno = 0;
        fail("box dir %s must be owned by root and writable by no one else", dir);
    }
    return fd;
}

static int mount_box(const char *dir, const char *size, const char *inodes, const char *uid_text) {
    unsigned long long bytes = parse_size(size, "size");
    unsigned long long nr_inodes = parse_size(inodes, "inode count");
    unsigned long long uid = parse_size(uid_text, "uid");
    if (uid > 0x7fffffffULL) { errno = 0; fail("uid %s out of range", uid_text); }
    int fd = open_private_dir(dir);
    /* mount through the fd, so the place mounted on is the one checked above */
    char target[64], options[160];
    snprintf(target, sizeof target, "/proc/self/fd/%d", fd);
    snprintf(options, sizeof options, "size=%llu,nr_inodes=%llu,mode=0700,uid=%llu,gid=%llu",
             bytes, nr_inodes, uid, uid);
    if (mount("runbox-box", target, "tmpfs", MS_NOSUID | MS_NODEV, options) < 0) fail("mount tmpfs on %s", dir);
    close(fd);
    return 0;
}

static int umount_box(const char *dir) {
    int fd = open(dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) fail("open box dir %s", dir);
    struct statfs fs;
    if (fstatfs(fd, &fs) < 0) fail("statfs %s", dir);
    close(fd);
    if (fs.f_type != TMPFS_MAGIC) { errno = 0; fail("%s is not a mounted box (no tmpfs there)", dir); }
    /* detached: gone from the host at once, freed when the last reference (none: the run is over) goes */
    if (umount2(dir, MNT_DETACH | UMOUNT_NOFOLLOW) < 0) fail("umount %s", dir);
    return 0;
}

int box_main(int argc, char **argv) {
    if (geteuid() != 0) { errno = 0; fail("%s needs root", argv[1]); }
    if (strcmp(argv[1], "--mount-box") == 0) {
        if (argc != 6) { errno = 0; fail("usage: --mount-box DIR SIZE_BYTES NR_INODES UID"); }
        return mount_box(argv[2], argv[3], argv[4], argv[5]);
    }
    if (argc != 3) { errno = 0; fail("usage: --umount-box DIR"); }
    return umount_box(argv[2]);
}
