package dev.runbox.sandbox;

import dev.runbox.sandbox.bubblewrap.BubblewrapSandbox;
import dev.runbox.sandbox.host.SandboxHost;
import dev.runbox.sandbox.run.BoxMount;
import dev.runbox.testing.TestStateDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The host-mounted work dir of compiled languages, on the real sandbox (needs root, like serve). */
class WorkDirTest {

    private static final Map<String, String> ENV = Map.of("PATH", "/usr/bin:/bin", "HOME", "/box", "TMPDIR", "/tmp");
    private static Path state;
    private static ExecutorService readers;
    private static BubblewrapSandbox sandbox;

    @BeforeAll
    static void open() throws Exception {
        state = TestStateDirs.fresh();
        readers = Executors.newCachedThreadPool();
        sandbox = SandboxHost.open(state, 80000 + ThreadLocalRandom.current().nextInt(5000) * 8, 2, 1, 64L << 20, 64, readers);
    }

    @AfterAll
    static void close() throws Exception {
        readers.shutdownNow();
        try (Stream<Path> walk = Files.walk(state)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    private static RunSpec spec(List<String> command) {
        RunLimits limits = new RunLimits(Duration.ofSeconds(10), Duration.ofSeconds(20), 512L << 20, 1.0, 64,
                1 << 20, 16L << 20, 256);
        return new RunSpec(command, Map.of(), new byte[0], limits, List.of(), ENV);
    }

    private static String out(SandboxOutcome o) {
        return new String(o.stdout().bytes(), StandardCharsets.UTF_8) + new String(o.stderr().bytes(), StandardCharsets.UTF_8);
    }

    @Test
    void what_the_compile_writes_is_there_for_the_run_and_gone_after_close() throws Exception {
        byte[] source = "#include <stdio.h>\nint main(void){puts(\"built\");return 0;}\n".getBytes(StandardCharsets.UTF_8);
        WorkDir dir = sandbox.openWorkDir(Map.of("main.c", source), 16L << 20);
        List<Path> mounts = BoxMount.mountsUnder(state.resolve(BoxMount.BOXES_DIR));
        assertThat(mounts).hasSize(1);
        try (dir) {
            SandboxOutcome compile = dir.run(spec(List.of("/usr/bin/gcc", "-o", "main", "main.c")));
            assertThat(compile.exitCode()).as(out(compile)).isEqualTo(0);
            SandboxOutcome run = dir.run(spec(List.of("/box/main")));
            assertThat(out(run)).isEqualTo("built\n");
            // a planted link: the host never follows it (it never looks inside the box again)
            SandboxOutcome plant = dir.run(spec(List.of("/usr/bin/ln", "-s", "/etc/shadow", "/box/main.c.out")));
            assertThat(plant.exitCode()).isEqualTo(0);
        }
        assertThat(BoxMount.mountsUnder(state.resolve(BoxMount.BOXES_DIR))).isEmpty();
        assertThat(mounts.get(0)).doesNotExist();
        dir.close(); // twice is fine
    }

    @Test
    void a_work_dirs_runs_share_one_environment_reset_between_them_and_only_the_box_is_kept() throws Exception {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> sandbox.readyCount() == 1); // the pool is full: it makes no more
        long before = sandbox.environmentsMade();
        try (WorkDir dir = sandbox.openWorkDir(Map.of(), 16L << 20)) {
            SandboxOutcome first = dir.run(spec(List.of("/bin/sh", "-c",
                    "echo kept > /box/k; echo gone > /tmp/t; echo shm > /dev/shm/s; (setsid sleep 1000 &); echo started")));
            assertThat(out(first)).isEqualTo("started\n");
            long made = sandbox.environmentsMade();
            assertThat(made).as("the work dir's environment, made for its first run").isEqualTo(before + 1);
            SandboxOutcome second = dir.run(spec(List.of("/bin/sh", "-c",
                    "cat /box/k; ls -A /tmp /dev/shm; for p in /proc/[0-9]*; do cat $p/comm; done | grep -c sleep")));
            assertThat(sandbox.environmentsMade()).as("the second run was served by the first's environment").isEqualTo(made);
            assertThat(out(second)).isEqualTo("kept\n/dev/shm:\n\n/tmp:\n0\n");
        }
    }

    @Test
    void the_box_is_private_to_its_uid_and_capped_in_size() throws Exception {
        try (WorkDir dir = sandbox.openWorkDir(Map.of("a.txt", new byte[]{'a'}), 1L << 20)) {
            SandboxOutcome big = dir.run(spec(List.of("/usr/bin/dd", "if=/dev/zero", "of=/box/big", "bs=1M", "count=4")));
            assertThat(big.exitCode()).isNotEqualTo(0);
            assertThat(out(big)).contains("No space left");
            SandboxOutcome mode = dir.run(spec(List.of("/usr/bin/stat", "-c", "%a", "/box")));
            assertThat(out(mode).strip()).isEqualTo("700");
        }
    }

    @Test
    void files_are_placed_when_the_work_dir_is_opened_not_per_run() throws Exception {
        try (WorkDir dir = sandbox.openWorkDir(Map.of(), 1L << 20)) {
            RunSpec withFiles = new RunSpec(List.of("/usr/bin/true"), Map.of("x", new byte[0]), new byte[0],
                    spec(List.of("/usr/bin/true")).limits(), List.of(), ENV);
            assertThatThrownBy(() -> dir.run(withFiles)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void boxes_left_by_an_earlier_process_are_unmounted_at_start() throws Exception {
        WorkDir leaked = sandbox.openWorkDir(Map.of("f", new byte[]{1}), 1L << 20);
        Path boxes = state.resolve(BoxMount.BOXES_DIR);
        assertThat(BoxMount.mountsUnder(boxes)).hasSize(1);
        BoxMount.prepareRoot(state, state.resolve("bin").resolve("runbox-launch"));
        assertThat(BoxMount.mountsUnder(boxes)).isEmpty();
        try (Stream<Path> left = Files.list(boxes)) {
            assertThat(left.toList()).isEmpty();
        }
        // already swept: closing it finds nothing mounted there and says so
        assertThatThrownBy(leaked::close).isInstanceOf(SandboxFailure.class).hasMessageContaining("--umount-box");
    }
}
