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

class CgroupV1Test {

    private static final String INSTANCE = "ab12cd34";
    private static final String RUN = "0123456789abcdef";
    private static final String RUN_DIR = "runbox-run-ab12cd34-0123456789abcdef";
    /** Above any pid_max (at most 2^22): no real process is ever signalled by these tests. */
    private static final String NO_SUCH_PID = "999999999";
    private static final long MB = 1024 * 1024;

    @TempDir
    Path root;
    /** Interface files the next mkdir leaves out, as an older kernel or a missing controller would. */
    private final Set<String> missing = new HashSet<>();
    private FakeCgroupFs fs;

    @BeforeEach
    void hierarchies() throws IOException {
        fs = new FakeCgroupFs(root, this::interfaceFiles);
        for (String h : List.of("memory", "pids", "cpu", "cpuacct", "cpu,cpuacct")) {
            Files.createDirectories(root.resolve(h).resolve("runbox"));
        }
    }

    /** What the kernel puts in a new v1 group, per hierarchy (first path element under root). */
    private Map<String, String> interfaceFiles(Path dir) {
        String hierarchy = root.relativize(dir).getName(0).toString();
        Map<String, String> f = new LinkedHashMap<>();
        f.put("cgroup.procs", "");
        f.put("tasks", "");
        for (String controller : hierarchy.split(",")) {
            switch (controller) {
                case "memory" -> {
                    f.put("memory.limit_in_bytes", "9223372036854771712");
                    f.put("memory.memsw.limit_in_bytes", "9223372036854771712");
                    f.put("memory.swappiness", "60");
                    f.put("memory.usage_in_bytes", "0");
                    f.put("memory.max_usage_in_bytes", "0");
                    f.put("memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n");
                }
                case "pids" -> {
                    f.put("pids.max", "max");
                    f.put("pids.current", "0");
                }
                case "cpu" -> {
                    f.put("cpu.cfs_period_us", "100000");
                    f.put("cpu.cfs_quota_us", "-1");
                    f.put("cpu.shares", "1024");
                }
                case "cpuacct" -> {
                    f.put("cpuacct.usage", "0");
                    f.put("cpuacct.stat", "user 0\nsystem 0\n");
                }
                default -> throw new IllegalArgumentException(controller);
            }
        }
        f.keySet().removeAll(missing);
        return f;
    }

    private CgroupV1 cgroups() {
        return new CgroupV1(INSTANCE, fs.path("memory/runbox"), fs.path("pids/runbox"), fs.path("cpu/runbox"),
                fs.path("cpuacct/runbox"));
    }

    private Path runFile(String hierarchy, String file) {
        return root.resolve(hierarchy).resolve("runbox").resolve(RUN_DIR).resolve(file);
    }

    private String read(String hierarchy, String file) throws IOException {
        return Files.readString(runFile(hierarchy, file));
    }

    private List<Path> runGroups() throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            return all.filter(p -> p.getFileName().toString().startsWith("runbox-run-")).toList();
        }
    }

    @Test
    void limits_are_written_in_each_controllers_units() throws Exception {
        cgroups().create(RUN, new CgroupLimits(256 * MB, 64, 0.5));

        assertThat(read("memory", "memory.limit_in_bytes")).isEqualTo("268435456");
        assertThat(read("memory", "memory.memsw.limit_in_bytes")).as("memory + swap: no swap beyond the limit").isEqualTo("268435456");
        assertThat(read("memory", "memory.swappiness")).isEqualTo("0");
        assertThat(read("pids", "pids.max")).isEqualTo("64");
        assertThat(read("cpu", "cpu.cfs_period_us")).isEqualTo("100000");
        assertThat(read("cpu", "cpu.cfs_quota_us")).isEqualTo("50000");
    }

    @Test
    void cpu_quota_follows_cores_above_one() throws Exception {
        cgroups().create(RUN, new CgroupLimits(MB, 1, 2.5));
        assertThat(read("cpu", "cpu.cfs_quota_us")).isEqualTo("250000");
    }

    @Test
    void host_without_swap_accounting_still_gets_a_memory_limit() throws Exception {
        missing.add("memory.memsw.limit_in_bytes");

        cgroups().create(RUN, new CgroupLimits(64 * MB, 8, 1.0));

        assertThat(read("memory", "memory.limit_in_bytes")).isEqualTo("67108864");
        assertThat(runFile("memory", "memory.memsw.limit_in_bytes")).doesNotExist();
    }

    @Test
    void procs_files_name_the_run_group_in_every_hierarchy() throws Exception {
        RunCgroup run = cgroups().create(RUN, new CgroupLimits(MB, 1, 1.0));

        assertThat(run.procsFiles()).extracting(fs::real).containsExactly(
                runFile("memory", "cgroup.procs"), runFile("pids", "cgroup.procs"),
                runFile("cpu", "cgroup.procs"), runFile("cpuacct", "cgroup.procs"));
    }

    @Test
    void co_mounted_cpu_and_cpuacct_share_one_run_group() throws Exception {
        CgroupV1 v1 = new CgroupV1(INSTANCE, fs.path("memory/runbox"), fs.path("pids/runbox"),
                fs.path("cpu,cpuacct/runbox"), fs.path("cpu,cpuacct/runbox"));

        RunCgroup run = v1.create(RUN, new CgroupLimits(MB, 1, 0.25));
        Files.writeString(runFile("cpu,cpuacct", "cpuacct.usage"), "42");

        assertThat(run.procsFiles()).hasSize(3).extracting(fs::real).contains(runFile("cpu,cpuacct", "cgroup.procs"));
        assertThat(read("cpu,cpuacct", "cpu.cfs_quota_us")).isEqualTo("25000");
        assertThat(run.cpuUsage()).isEqualTo(Duration.ofNanos(42));
    }

    @Test
    void missing_limit_file_fails_naming_it_and_leaves_no_run_group() throws Exception {
        missing.add("pids.max");

        assertThatThrownBy(() -> cgroups().create(RUN, new CgroupLimits(MB, 1, 1.0)))
                .isInstanceOf(SandboxFailure.class).hasMessageContaining("pids.max").hasMessageContaining("check-host");
        assertThat(runGroups()).isEmpty();
    }

    @Test
    void failed_create_removes_the_groups_it_made_and_only_those() throws Exception {
        Files.createDirectory(fs.path("pids/runbox/" + RUN_DIR)); // someone else's, in the way

        assertThatThrownBy(() -> cgroups().create(RUN, new CgroupLimits(MB, 1, 1.0)))
                .isInstanceOf(SandboxFailure.class).hasMessageContaining(RUN_DIR);
        assertThat(runGroups()).containsExactly(root.resolve("pids/runbox").resolve(RUN_DIR));
    }

    @Test
    void cpu_usage_is_cpuacct_usage_in_nanoseconds() throws Exception {
        RunCgroup run = cgroups().create(RUN, new CgroupLimits(MB, 1, 1.0));
        Files.writeString(runFile("cpuacct", "cpuacct.usage"), "1234567890\n");

        assertThat(run.cpuUsage()).isEqualTo(Duration.ofNanos(1_234_567_890));
    }

    @Test
    void memory_peak_is_max_usage_in_bytes() throws Exception {
        RunCgroup run = cgroups().create(RUN, new CgroupLimits(MB, 1, 1.0));
        Files.writeString(runFile("memory", "memory.usage_in_bytes"), "1000\n");
        Files.writeString(runFile("memory", "memory.max_usage_in_bytes"), "5242880\n");

        assertThat(run.memoryPeakBytes()).isEqualTo(5_242_880);
    }

    @Test
    void oom_kills_are_read_from_oom_control() throws Exception {
        RunCgroup run = cgroups().create(RUN, new CgroupLimits(MB, 1, 1.0));
        assertThat(run.oomKills()).isZero();

        Files.writeString(runFile("memory", "memory.oom_control"), "oom_kill_disable 0\nunder_oom 1\noom_kill 3\n");

        assertThat(run.oomKills()).isEqualTo(3);
    }

    @Test
    void kernel_without_an_oom_kill_counter_reports_none() throws Exception {
        RunCgroup run = cgroups().create(RUN, new CgroupLimits(MB, 1, 1.0));
        Files.writeString(runFile("memory", "memory.oom_control"), "oom_kill_disable 0\nunder_oom 0\n");

        assertThat(run.oomKills()).isZero();
    }

    @Test
    void unexpected_counter_content_is_a_failure_naming_the_file() throws Exception {
        RunCgroup run = cgroups().create(RUN, new CgroupLimits(MB, 1, 1.0));
        Files.writeString(runFile("cpuacct", "cpuacct.usage"), "lots");

        assertThatThrownBy(run::cpuUsage).isInstanceOf(SandboxFailure.class).hasMessageContaining("cpuacct.usage");
    }

    @Test
    void run_is_empty_until_a_process_is_in_any_of_its_groups() throws Exception {
        RunCgroup run = cgroups().create(RUN, new CgroupLimits(MB, 1, 1.0));
        assertThat(run.isEmpty()).isTrue();

        Files.writeString(runFile("pids", "cgroup.procs"), NO_SUCH_PID + "\n");

        assertThat(run.isEmpty()).isFalse();
    }

    @Test
    void close_removes_the_run_group_from_every_hierarchy() throws Exception {
        RunCgroup run = cgroups().create(RUN, new CgroupLimits(MB, 1, 1.0));
        assertThat(runGroups()).hasSize(4);

        run.close();

        assertThat(runGroups()).isEmpty();
        assertThat(root.resolve("memory/runbox")).isDirectory();
    }

    @Test
    void sweep_removes_only_this_instances_run_groups() throws Exception {
        for (String h : List.of("memory", "pids", "cpu", "cpuacct")) {
            for (String name : List.of("runbox-run-ab12cd34-stale1", "runbox-run-ab12cd34-stale2",
                    "runbox-run-ff00ff00-other", "runbox-run-ab12cd345-longer", "runbox-supervisor", "user.slice")) {
                Files.createDirectory(fs.path(h + "/runbox/" + name));
            }
        }

        int removed = cgroups().sweepStale();

        for (String h : List.of("memory", "pids", "cpu", "cpuacct")) {
            try (Stream<Path> left = Files.list(root.resolve(h).resolve("runbox"))) {
                assertThat(left.map(p -> p.getFileName().toString())).as(h).containsExactlyInAnyOrder(
                        "runbox-run-ff00ff00-other", "runbox-run-ab12cd345-longer", "runbox-supervisor", "user.slice");
            }
        }
        assertThat(removed).as("stale runs, not their directories in four hierarchies").isEqualTo(2);
    }

    @Test
    void sweep_counts_a_run_of_co_mounted_hierarchies_once() throws Exception {
        CgroupV1 v1 = new CgroupV1(INSTANCE, fs.path("memory/runbox"), fs.path("pids/runbox"),
                fs.path("cpu,cpuacct/runbox"), fs.path("cpu,cpuacct/runbox"));
        for (String h : List.of("memory", "pids", "cpu,cpuacct")) Files.createDirectory(fs.path(h + "/runbox/" + RUN_DIR));

        assertThat(v1.sweepStale()).isEqualTo(1);
        assertThat(runGroups()).isEmpty();
    }

    @Test
    void sweep_counts_a_run_left_in_some_hierarchies_only() throws Exception {
        // a create() that failed half way, and whose clean-up failed too
        Files.createDirectory(fs.path("memory/runbox/" + RUN_DIR));

        assertThat(cgroups().sweepStale()).isEqualTo(1);
        assertThat(runGroups()).isEmpty();
    }

    @Test
    void sweep_does_not_count_a_run_whose_group_could_not_be_removed() throws Exception {
        String busy = "runbox-run-ab12cd34-busy";
        for (String name : List.of(busy, RUN_DIR)) {
            for (String h : List.of("memory", "pids", "cpu", "cpuacct")) Files.createDirectory(fs.path(h + "/runbox/" + name));
        }
        // a process the sweep cannot kill stays listed: rmdir of that one group keeps failing
        Files.writeString(root.resolve("pids/runbox").resolve(busy).resolve("cgroup.procs"), NO_SUCH_PID + "\n");

        int removed = cgroups().sweepStale();

        assertThat(removed).as("only the run that is gone entirely").isEqualTo(1);
        assertThat(runGroups()).containsExactly(root.resolve("pids/runbox").resolve(busy));
    }

    @Test
    void describe_names_every_hierarchy() {
        assertThat(cgroups().describe()).startsWith("cgroup v1").contains(root.resolve("memory/runbox").toString())
                .contains(root.resolve("cpuacct/runbox").toString());
    }
}
