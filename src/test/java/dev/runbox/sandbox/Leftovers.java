package dev.runbox.sandbox;

import dev.runbox.sandbox.cgroup.Cgroups;
import dev.runbox.sandbox.host.SandboxHost;
import dev.runbox.testing.TestServer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a finished run may leave on the host, seen from the host: processes of the server's sandbox
 * uids, run cgroups of the server's instance, staging directories, and Docker containers of the instance.
 *
 * <p>The sandbox guarantees that no process of a run is alive once its result is stored, so that is
 * checked at once. A server also keeps {@code prepared-sandboxes} sandboxes waiting for jobs (bwrap and
 * runbox-init, nothing else); their processes are allowed, and their cgroups and staging dirs are
 * counted: once the finished run's cgroup and staging dir are torn down (just after its result), no
 * more than the prepared ones may remain.
 */
public final class Leftovers {

    private Leftovers() {
    }

    /** Asserts that no process, cgroup or staging dir of any finished run of {@code server} exists. */
    public static void assertNoneOf(TestServer server) throws IOException {
        assertThat(programsOfSandboxUids(server)).as("processes of the sandbox uids %d..%d other than idle sandboxes",
                server.uidBase, server.uidBase + uidCount(server) - 1).isEmpty();
        int prepared = server.config.preparedSandboxes();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).untilAsserted(() -> {
            // Docker environments waiting for a job are containers; an environment that ended is removed just after its result
            int waiting = server.runbox.sandbox().readyContainers();
            assertThat(server.runbox.sandbox().containers()).as("containers of this server after its runs, beyond the %d waiting", waiting)
                    .hasSizeLessThanOrEqualTo(waiting);
            // a run has a dir in each v1 hierarchy (or one on v2): count runs, not dirs; a waiting Docker
            // environment has two, its container's parent and its next run's
            long runs = runCgroups(server).stream().map(d -> d.getFileName().toString()).distinct().count();
            assertThat(runs).as("run cgroups of this server beyond its %d prepared sandboxes and %d waiting containers", prepared, waiting)
                    .isLessThanOrEqualTo(prepared + 2L * waiting);
            assertThat(stagedRuns(server).size()).as("staging dirs under %s beyond the prepared sandboxes and waiting containers",
                    server.stateDir.resolve("runs")).isLessThanOrEqualTo(prepared + waiting);
        });
    }

    /** Processes of the sandbox uids that are not part of a sandbox waiting for its job. */
    public static List<String> programsOfSandboxUids(TestServer server) throws IOException {
        return processesOfSandboxUids(server).stream()
                // a sandbox being made: runbox-launch's child between its uid drop and the exec of bwrap
                // a Docker environment being made: runc's init in the container before it execs runbox-init
                .filter(p -> !p.matches("(?s).*Name:\\s+(bwrap|init|runbox-init|runbox-launch|runc:\\[2:INIT\\])$")).toList();
    }

    /** "pid state uid cmd" of every host process any of whose uids is one of the server's sandbox uids. */
    static List<String> processesOfSandboxUids(TestServer server) throws IOException {
        return processesOfUids(server.uidBase, server.uidBase + uidCount(server));
    }

    /** Sandbox uids a server uses ({@link SandboxHost#uidsFor}). */
    public static int uidCount(TestServer server) {
        return SandboxHost.uidsFor(server.config.workers(), server.config.preparedSandboxes(), server.runbox.sandbox().imageCount());
    }

    static List<String> processesOfUids(int fromUid, int toUidExclusive) throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                String status;
                try {
                    status = Files.readString(p.resolve("status"));
                } catch (NoSuchFileException | java.nio.file.AccessDeniedException gone) {
                    continue; // exited while we looked
                } catch (IOException e) {
                    if (!Files.exists(p)) continue;
                    throw e;
                }
                String uidLine = line(status, "Uid:");
                boolean ours = false;
                for (String uid : uidLine.substring("Uid:".length()).trim().split("\\s+")) {
                    long u = Long.parseLong(uid);
                    if (u >= fromUid && u < toUidExclusive) ours = true;
                }
                if (ours) {
                    found.add(p.getFileName() + " " + line(status, "State:") + " " + uidLine.replace('\t', ' ')
                            + " " + line(status, "Name:"));
                }
            }
        }
        return found;
    }

    private static String line(String status, String key) {
        return status.lines().filter(l -> l.startsWith(key)).findFirst().orElse(key + " ?");
    }

    /** Directories of this server's run cgroups, in every mounted cgroup hierarchy (v1 and v2). */
    static List<Path> runCgroups(TestServer server) throws IOException {
        return runCgroups(server.stateDir);
    }

    /**
     * Removes the run cgroups of the Runbox process of {@code stateDir}, which must have ended: a
     * process killed by a test never sweeps them, and no later one starts with its (random) state dir.
     * Best effort: one still busy stays.
     */
    public static void removeRunCgroups(Path stateDir) throws IOException {
        List<Path> dirs = new ArrayList<>(runCgroups(stateDir));
        dirs.sort(java.util.Comparator.comparingInt(Path::getNameCount).reversed()); // children first
        for (Path d : dirs) {
            try {
                Files.deleteIfExists(d);
            } catch (IOException busy) {
                // a process of it is still being reaped
            }
        }
    }

    private static List<Path> runCgroups(Path stateDir) throws IOException {
        String prefix = Cgroups.runPrefix(SandboxHost.instanceTag(stateDir));
        List<Path> found = new ArrayList<>();
        for (Path mount : cgroupMounts()) collect(mount, prefix, found);
        return found;
    }

    /** Walks one cgroup tree; other servers' run cgroups come and go meanwhile, which is not an error. */
    private static void collect(Path dir, String prefix, List<Path> found) throws IOException {
        List<Path> children;
        try (Stream<Path> list = Files.list(dir)) {
            children = list.filter(Files::isDirectory).toList();
        } catch (NoSuchFileException gone) {
            return;
        }
        for (Path child : children) {
            if (child.getFileName().toString().startsWith(prefix)) found.add(child);
            collect(child, prefix, found);
        }
    }

    private static List<Path> cgroupMounts() throws IOException {
        List<Path> mounts = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] halves = line.split(" - ", 2);
            if (halves.length != 2) continue;
            String fsType = halves[1].split(" ")[0];
            if (fsType.equals("cgroup") || fsType.equals("cgroup2")) mounts.add(Path.of(halves[0].split(" ")[4]));
        }
        assertThat(mounts).as("cgroup mounts in /proc/self/mountinfo").isNotEmpty();
        return mounts;
    }

    /** Entries of the server's staging dir: a run's inputs live there only while it runs. */
    static List<Path> stagedRuns(TestServer server) throws IOException {
        Path runs = server.stateDir.resolve("runs");
        assertThat(runs).as("the server's staging dir").isDirectory();
        try (Stream<Path> list = Files.list(runs)) {
            return list.toList();
        }
    }
}
