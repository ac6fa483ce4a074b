package dev.runbox.sandbox.cgroup;

import dev.runbox.sandbox.SandboxFailure;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CgroupV2Test {

    private static final String INSTANCE = "ab12cd34";
    private static final String RUN = "0123456789abcdef";
    private static final String RUN_DIR = "runbox-run-ab12cd34-0123456789abcdef";
    /** Above any pid_max (at most 2^22): no real process is ever signalled by these tests. */
    private static final long NO_SUCH_PID = 999_999_999L;
    private static final long MB = 1024 * 1024;

    @TempDir
    Path root;
    /** Interface files the next mkdir leaves out, as an older kernel or a missing controller would. */
    private final Set<String> missing = new HashSet<>();
    private FakeCgroupFs fs;
    private Path parent;

    @BeforeEach
    void delegatedParent() throws IOException {
        fs = new FakeCgroupFs(root, this::interfaceFiles);
        parent = root.resolve("system.slice/runbox.service");
        Files.createDirectories(parent);
        Files.writeString(parent.resolve("cgroup.controllers"), "cpuset cpu io memory hugetlb pids rdma misc\n");
        Files.writeString(parent.resolve("cgroup.subtree_control"), "\n");
        Files.writeString(parent.resolve("cgroup.procs"), NO_SUCH_PID + "\n");
    }

    /** What a 6.x kernel puts in a new group with memory, pids and cpu enabled for it. */
    private Map<String, String> interfaceFiles(Path dir) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("cgroup.procs", "");
        f.put("cgroup.controllers", "cpu memory pids");
        f.put("cgroup.subtree_control", "");
        f.put("cgroup.kill", "");
        f.put("memory.max", "max");
        f.put("memory.swap.max", "max");
        f.put("memory.oom.group", "0");
        f.put("memory.current", "0");
        f.put("memory.peak", "0");
        f.put("memory.events", "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n");
        f.put("pids.max", "max");
        f.put("cpu.max", "max 100000");
        f.put("cpu.stat", "usage_usec 0\nuser_usec 0\nsystem_usec 0\nnr_periods 0\nnr_throttled 0\nthrottled_usec 0\n");
        f.keySet().removeAll(missing);
        return f;
    }

    private CgroupV2 cgroups() {
        return new CgroupV2(INSTANCE, fs.path("system.slice/runbox.service"));
    }

    private Path runFile(String file) {
        return parent.resolve(RUN_DIR).resolve(file);
    }

    private String read(String file) throws IOException {
        return Files.readString(runFile(file));
    }

    private List<String> children() throws IOException {
        try (Stream<Path> list = Files.list(parent)) {
            return list.filter(Files::isDirectory).map(p -> p.getFileName().toString()).toList();
        }
    }

    // ---- create: limits ----

    @Test
    void limits_are_written_in_each_controllers_units() throws Exception {
        cgroups().create(RUN, new CgroupLimits(256 * MB, 64, 0.5));

        assertThat(read("memory.max")).isEqualTo("268435456");
        assertThat(read("memory.swap.max")).isEqualTo("0");
        assertThat(read("memory.oom.group")).as("an OOM kill ends one process, as on v1; the run is MLE").isEqualTo("0");
        assertThat(read("pids.max")).isEqualTo("64");
        assertThat(read("cpu.max")).isEqualTo("50000 100000");
    }

    @Test
    void cpu_max_is_quota_then_period() throws Exception {
        cgroups().create(RUN, new CgroupLimits(MB, 1, 2.5));
        assertThat(read("cpu.max")).isEqualTo("250000 100000");
    }

    @Test
    void cpu_quota_never_goes_below_one_millisecond_per_period() throws Exception {
        cgroups().create(RUN, new CgroupLimits(MB, 1, 0.001));
        assertThat(read("cpu.max")).isEqualTo("1000 100000");
    }

    @Test
    void kernel_without_swap_or_oom_group_files_still_limits_memory() throws Exception {
        missing.addAll(List.of("memory.swap.max", "memory.oom.group"));

        cgroups().create(RUN, new CgroupLimits(64 * MB, 8, 1.0));

        assertThat(read("memory.max")).isEqualTo("67108864");
        assertThat(runFile("memory.swap.max")).doesNotExist();
        assertThat(runFile("memory.oom.group")).doesNotExist();
    }

    @Test
    void controller_not_enabled_for_the_run_fails_naming_its_file_and_leaves_no_group() throws Exception {
        missing.add("pids.max");

        assertThatThrownBy(() -> cgroups().create(RUN, new CgroupLimits(MB, 1, 1.0)))
                .isInstanceOf(SandboxFailure.class).hasMessageContaining("pids.max").hasMessageContaining("check-host");
        assertThat(children()).isEmpty();
    }

    @Test
    void existing_group_of_the_same_name_is_not_reused() throws Exception {
        Files.createDirectory(fs.path("system.slice/runbox.service/" + RUN_DIR));

        assertThatThrownBy(() -> cgroups().create(RUN, new CgroupLimits(MB, 1, 1.0)))
                .isInstanceOf(SandboxFailure.class).hasMessageContaining("cannot create cgroup").hasMessageContaining(RUN_DIR);
        assertThat(read("memory.max")).as("untouched").isEqualTo("max");
    }

    // ---- the run's accounting ----

    @Test
    void procs_file_is_the_run_groups() throws Exception {
        RunCgroup run = cgroups().create(RUN, new CgroupLimits(MB, 1, 1.0));
        assertThat(run.procsFiles()).extracting(fs::real).containsExactly(runFile("cgroup.procs"));
    }

    @Test
    void cpu_usage_is_cpu_stat_usage_usec() throws Exception {
        RunCgroup run = cgroups().create(RUN, new CgroupLimits(MB, 1, 1.0));
        Files.writeString(runFile("cpu.stat"), "usage_usec 1500123\nuser_usec 1000000\nsystem_usec 500123\n");

        assertThat(run.cpuUsage()).isEqualTo(Duration.ofNanos(1_500_123_000L));
    }

    @Test
    void memory_peak_is_memory_peak_when_the_kernel_has_it() throws Exception {
        RunCgroup run = cgroups().create(RUN, new CgroupLimits(MB, 1, 1.0));
        Files.writeString(runFile("memory.current"), "4096\n");
        Files.writeString(runFile("memory.peak"), "7340032\n");

        assertThat(run.memoryPeakBytes()).isEqualTo(7_340_032);
    }

    @Test
    void without_memory_peak_the_highest_sampled_memory_current_counts() throws Exception {
        missing.add("memory.peak");
        RunCgroup run = cgroups().create(RUN, new CgroupLimits(64 * MB, 1, 1.0));

        // the sandbox polls cpuUsage() while the run goes on: each poll samples memory.current
        for (String current : List.of("1000", "9000", "3000")) {
            Files.writeString(runFile("memory.current"), current + "\n");
            run.cpuUsage();
        }

        assertThat(run.memoryPeakBytes()).isEqualTo(9000);
    }

    @Test
    void oom_kills_count_single_and_group_kills() throws Exception {
        RunCgroup run = cgroups().create(RUN, new CgroupLimits(MB, 1, 1.0));
        assertThat(run.oomKills()).isZero();

        Files.writeString(runFile("memory.events"), "low 0\nhigh 0\nmax 12\noom 2\noom_kill 1\noom_group_kill 2\n");

        assertThat(run.oomKills()).isEqualTo(3);
    }

    @Test
    void run_is_empty_until_a_process_joins() throws Exception {
        RunCgroup run = cgroups().create(RUN, new CgroupLimits(MB, 1, 1.0));
        assertThat(run.isEmpty()).isTrue();

        Files.writeString(runFile("cgroup.procs"), NO_SUCH_PID + "\n");

        assertThat(run.isEmpty()).isFalse();
    }

    @Test
    void kill_all_uses_cgroup_kill_when_the_kernel_has_it() throws Exception {
        RunCgroup run = cgroups().create(RUN, new CgroupLimits(MB, 1, 1.0));

        run.killAll();

        assertThat(read("cgroup.kill")).isEqualTo("1");
    }

    @Test
    void close_removes_the_run_group_and_is_idempotent() throws Exception {
        RunCgroup run = cgroups().create(RUN, new CgroupLimits(MB, 1, 1.0));
        assertThat(children()).containsExactly(RUN_DIR);

        run.close();
        run.close();

        assertThat(children()).isEmpty();
    }

    @Test
    void sweep_removes_only_this_instances_run_groups() throws Exception {
        for (String name : List.of("runbox-run-ab12cd34-stale1", "runbox-run-ab12cd34-stale2",
                "runbox-run-ff00ff00-other", "runbox-run-ab12cd345-longer", "runbox-supervisor")) {
            Files.createDirectory(fs.path("system.slice/runbox.service/" + name));
        }

        int removed = cgroups().sweepStale();

        assertThat(removed).isEqualTo(2);
        assertThat(children()).containsExactlyInAnyOrder("runbox-run-ff00ff00-other", "runbox-run-ab12cd345-longer",
                "runbox-supervisor");
    }

    @Test
    void describe_names_the_parent() {
        assertThat(cgroups().describe()).isEqualTo("cgroup v2 (" + parent + ")");
    }

    // ---- prepare: delegation ----

    @Test
    void prepare_moves_runbox_into_its_supervisor_leaf_then_enables_the_controllers() throws Exception {
        cgroups().prepare(NO_SUCH_PID);

        Path supervisorProcs = parent.resolve("runbox-supervisor/cgroup.procs");
        assertThat(Files.readString(supervisorProcs)).isEqualTo(Long.toString(NO_SUCH_PID));
        assertThat(Files.readString(parent.resolve("cgroup.subtree_control"))).isEqualTo("+memory +pids +cpu");
        // v2 refuses to enable controllers for children while the parent itself holds a process
        assertThat(fs.writes).containsExactly(supervisorProcs, parent.resolve("cgroup.subtree_control"));
    }

    @Test
    void prepare_after_a_restart_reuses_the_supervisor_leaf() throws Exception {
        Files.createDirectory(fs.path("system.slice/runbox.service/runbox-supervisor"));

        cgroups().prepare(NO_SUCH_PID);

        assertThat(Files.readString(parent.resolve("runbox-supervisor/cgroup.procs"))).isEqualTo(Long.toString(NO_SUCH_PID));
        assertThat(Files.readString(parent.resolve("cgroup.subtree_control"))).isEqualTo("+memory +pids +cpu");
    }

    @Test
    void prepare_changes_nothing_when_the_controllers_are_already_enabled() throws Exception {
        Files.writeString(parent.resolve("cgroup.subtree_control"), "cpu io memory pids\n");

        cgroups().prepare(NO_SUCH_PID);

        assertThat(fs.writes).isEmpty();
        assertThat(parent.resolve("runbox-supervisor")).doesNotExist();
    }

    @Test
    void prepare_fails_clearly_when_a_controller_is_not_delegated() throws Exception {
        Files.writeString(parent.resolve("cgroup.controllers"), "cpuset cpu io memory\n");

        assertThatThrownBy(() -> cgroups().prepare(NO_SUCH_PID))
                .isInstanceOf(SandboxFailure.class)
                .hasMessageContaining("'pids'")
                .hasMessageContaining("not delegated")
                .hasMessageContaining(parent.toString())
                .hasMessageContaining("check-host");
        assertThat(fs.writes).isEmpty();
        assertThat(parent.resolve("runbox-supervisor")).doesNotExist();
    }

    @Test
    void prepare_requires_every_one_of_memory_pids_and_cpu() throws Exception {
        for (String lacking : List.of("memory", "pids", "cpu")) {
            String controllers = String.join(" ", List.of("cpuset", "cpu", "io", "memory", "pids").stream()
                    .filter(c -> !c.equals(lacking)).toList());
            Files.writeString(parent.resolve("cgroup.controllers"), controllers + "\n");

            assertThatThrownBy(() -> cgroups().prepare(NO_SUCH_PID)).as(lacking)
                    .isInstanceOf(SandboxFailure.class).hasMessageContaining("'" + lacking + "'");
        }
    }
}
