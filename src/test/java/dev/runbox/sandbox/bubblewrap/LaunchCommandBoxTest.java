package dev.runbox.sandbox.bubblewrap;

import dev.runbox.sandbox.run.SandboxShape;
import dev.runbox.sandbox.RunLimits;
import dev.runbox.sandbox.RunSpec;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The launch command of a run in a host-mounted work dir (compiled languages). */
class LaunchCommandBoxTest {

    private static final RunLimits LIMITS = new RunLimits(Duration.ofSeconds(1), Duration.ofSeconds(2), 64L << 20, 1.0, 16,
            1024, 8L << 20, 64);

    private static List<String> build(Optional<Path> box, Map<String, byte[]> files) {
        RunSpec spec = new RunSpec(List.of("/box/main"), files, new byte[0], LIMITS, List.of(), Map.of("PATH", "/usr/bin"));
        SandboxShape shape = box.map(b -> SandboxShape.withBox(spec, b)).orElse(SandboxShape.of(spec));
        return LaunchCommand.build(Path.of("/state/bin/runbox-launch"), Path.of("/state/bin/runbox-init"),
                Path.of("/usr/bin/bwrap"), 60001, List.of(Path.of("/cg/cgroup.procs")),
                Path.of("/state/runs/r1/status.json"), shape, List.of("bin", "lib"));
    }

    @Test
    void the_box_is_opened_by_the_launcher_and_bound_by_fd_instead_of_a_tmpfs() {
        List<String> cmd = build(Optional.of(Path.of("/state/boxes/abc")), Map.of());
        int bwrap = cmd.indexOf("/usr/bin/bwrap");
        List<String> launcher = cmd.subList(0, bwrap);
        List<String> sandbox = cmd.subList(bwrap, cmd.size());
        assertThat(Collections.indexOfSubList(launcher, List.of("--fd", LaunchCommand.FD_BOX + "=/state/boxes/abc"))).isPositive();
        assertThat(Collections.indexOfSubList(sandbox, List.of("--bind-fd", Integer.toString(LaunchCommand.FD_BOX), "/box"))).isPositive();
        assertThat(Collections.indexOfSubList(sandbox, List.of("--tmpfs", "/box"))).isEqualTo(-1);
        assertThat(Collections.indexOfSubList(sandbox, List.of("--tmpfs", "/tmp"))).isPositive();
        // the host path of the box is never handed to bwrap as a path
        assertThat(sandbox).doesNotContain("/state/boxes/abc");
        // /box is bound before the root is made read-only, and the program runs in it
        assertThat(sandbox.indexOf("--bind-fd")).isLessThan(sandbox.indexOf("--remount-ro"));
        assertThat(Collections.indexOfSubList(sandbox, List.of("--chdir", "/box"))).isPositive();
        // runbox-init keeps that box for each run instead of mounting a fresh tmpfs over it
        assertThat(cmd.get(cmd.size() - 1)).isEqualTo("host-box");
    }

    @Test
    void without_a_box_the_work_dir_is_a_tmpfs_of_the_sandbox_as_before() {
        List<String> cmd = build(Optional.empty(), Map.of("main.py", new byte[0]));
        assertThat(Collections.indexOfSubList(cmd, List.of("--tmpfs", "/box"))).isPositive();
        assertThat(cmd).doesNotContain("--bind-fd");
        assertThat(cmd).noneMatch(a -> a.startsWith(LaunchCommand.FD_BOX + "="));
    }
}
