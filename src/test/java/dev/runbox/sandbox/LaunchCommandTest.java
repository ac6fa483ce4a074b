package dev.runbox.sandbox;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static java.util.Map.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

class LaunchCommandTest {

    private static final Path LAUNCHER = Path.of("/run/runbox/bin/runbox-launch");
    private static final Path BWRAP = Path.of("/usr/bin/bwrap");
    private static final Path STAGING = Path.of("/run/runbox/runs/0123abcd");
    private static final Path STATUS = STAGING.resolve("status.json");
    private static final int UID = 60007;
    private static final List<Path> PROCS = List.of(
            Path.of("/sys/fs/cgroup/memory/runbox-run-x-0123abcd/cgroup.procs"),
            Path.of("/sys/fs/cgroup/pids/runbox-run-x-0123abcd/cgroup.procs"),
            Path.of("/sys/fs/cgroup/cpu/runbox-run-x-0123abcd/cgroup.procs"));
    private static final long WRITABLE = 64L << 20;
    private static final List<String> ARGV = List.of("/usr/bin/python3", "main.py", "--", "--unshare-all");
    private static final Map<String, String> ENV = Map.of(
            "PATH", "/usr/local/bin:/usr/bin:/bin", "HOME", "/box", "LANG", "C.UTF-8", "PYTHONIOENCODING", "utf-8");

    private static RunSpec spec(Duration cpu, List<Path> mounts) {
        RunLimits limits = new RunLimits(cpu, cpu.multipliedBy(2), 256L << 20, 1.0, 64, 1L << 20, WRITABLE, 256);
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("main.py", "print(1)".getBytes());
        files.put("data.txt", "x".getBytes());
        return new RunSpec(ARGV, files, new byte[0], limits, mounts, ENV);
    }

    private static final List<String> FILE_NAMES = List.of("main.py", "data.txt");

    private static List<String> build(RunSpec spec) {
        return LaunchCommand.build(LAUNCHER, BWRAP, UID, PROCS, STAGING, STATUS, FILE_NAMES, spec, List.of("bin", "lib", "lib64"));
    }

    private static List<String> build() {
        return build(spec(Duration.ofSeconds(2), List.of(Path.of("/opt/jdk"))));
    }

    // ---- parsing the command line back, the way runbox-launch and bwrap read it ----

    record Opt(String name, List<String> args) {
        String arg() {
            return args.get(0);
        }
    }

    /** runbox-launch: every option takes exactly one value (native/launch.c). */
    private static List<Opt> launcherOptions(List<String> cmd) {
        assertThat(cmd.get(0)).isEqualTo(LAUNCHER.toString());
        List<Opt> opts = new ArrayList<>();
        int i = 1;
        while (!cmd.get(i).equals("--")) {
            opts.add(new Opt(cmd.get(i), List.of(cmd.get(i + 1))));
            i += 2;
        }
        return opts;
    }

    /** How many values each bwrap option takes. Dangerous ones are listed so tests can assert their absence. */
    private static final Map<String, Integer> BWRAP_ARITY = Map.ofEntries(
            entry("--unshare-all", 0), entry("--unshare-user", 0), entry("--disable-userns", 0),
            entry("--die-with-parent", 0), entry("--new-session", 0), entry("--clearenv", 0), entry("--share-net", 0),
            entry("--cap-drop", 1), entry("--cap-add", 1), entry("--hostname", 1), entry("--proc", 1), entry("--dev", 1),
            entry("--size", 1), entry("--perms", 1), entry("--tmpfs", 1), entry("--chdir", 1), entry("--remount-ro", 1),
            entry("--seccomp", 1), entry("--json-status-fd", 1), entry("--unsetenv", 1), entry("--dir", 1),
            entry("--ro-bind", 2), entry("--ro-bind-try", 2), entry("--bind", 2), entry("--bind-try", 2),
            entry("--dev-bind", 2), entry("--dev-bind-try", 2), entry("--symlink", 2), entry("--ro-bind-data", 2),
            entry("--bind-data", 2), entry("--file", 2), entry("--setenv", 2));

    /** bwrap's options up to the "--" before the program; fails on an option nobody reviewed. */
    private static List<Opt> bwrapOptions(List<String> cmd) {
        int i = cmd.indexOf("--") + 1;
        assertThat(cmd.get(i)).isEqualTo(BWRAP.toString());
        i++;
        List<Opt> opts = new ArrayList<>();
        while (!cmd.get(i).equals("--")) {
            String name = cmd.get(i);
            Integer arity = BWRAP_ARITY.get(name);
            if (arity == null) fail("bwrap option %s is not known to this test: review what it does to isolation", name);
            opts.add(new Opt(name, cmd.subList(i + 1, i + 1 + arity)));
            i += 1 + arity;
        }
        return opts;
    }

    /** What follows bwrap's closing "--". */
    private static List<String> program(List<String> cmd) {
        int i = cmd.indexOf("--") + 2;
        for (Opt o : bwrapOptions(cmd)) i += 1 + o.args().size();
        assertThat(cmd.get(i)).isEqualTo("--");
        return cmd.subList(i + 1, cmd.size());
    }

    private static List<List<String>> all(List<Opt> opts, String name) {
        return opts.stream().filter(o -> o.name().equals(name)).map(Opt::args).toList();
    }

    private static List<String> values(List<Opt> opts, String name) {
        return opts.stream().filter(o -> o.name().equals(name)).map(Opt::arg).toList();
    }

    private static int indexOf(List<Opt> opts, String name, String... args) {
        for (int i = 0; i < opts.size(); i++) {
            if (opts.get(i).name().equals(name) && opts.get(i).args().equals(List.of(args))) return i;
        }
        return fail("no %s %s in %s", name, List.of(args), opts);
    }

    // ---- runbox-launch ----

    @Test
    void launcher_joins_every_cgroup_of_the_run() {
        assertThat(values(launcherOptions(build()), "--cgroup-procs"))
                .containsExactlyElementsOf(PROCS.stream().map(Path::toString).toList());
    }

    @Test
    void launcher_drops_to_the_run_uid_and_gid() {
        List<Opt> opts = launcherOptions(build());
        assertThat(values(opts, "--uid")).containsExactly("60007");
        assertThat(values(opts, "--gid")).containsExactly("60007");
    }

    @Test
    void launcher_sets_backstop_rlimits() {
        List<String> rlimits = values(launcherOptions(build()), "--rlimit");
        assertThat(rlimits).contains(
                "cpu=3:4",                                // 2 s CPU: soft one second past it, hard two
                "fsize=" + WRITABLE + ":" + WRITABLE,     // no file bigger than a writable tmpfs
                "core=0:0",                               // no core dumps
                "nofile=256:256");
    }

    @Test
    void cpu_rlimit_rounds_a_fractional_cpu_time_up() {
        List<Opt> opts = launcherOptions(build(spec(Duration.ofMillis(1500), List.of())));
        assertThat(values(opts, "--rlimit")).contains("cpu=3:4").doesNotContain("cpu=2:3");
    }

    @Test
    void launcher_opens_seccomp_status_and_input_fds_for_bwrap() {
        List<Opt> opts = launcherOptions(build());
        assertThat(values(opts, "--seccomp-fd")).containsExactly(Integer.toString(LaunchCommand.FD_SECCOMP));
        assertThat(values(opts, "--fdw")).containsExactly(LaunchCommand.FD_STATUS + "=" + STATUS);
        assertThat(values(opts, "--fd")).containsExactly(
                LaunchCommand.FD_FIRST_FILE + "=" + STAGING.resolve("file-0"),
                (LaunchCommand.FD_FIRST_FILE + 1) + "=" + STAGING.resolve("file-1"));
    }

    @Test
    void launcher_knows_every_option_it_is_given() {
        assertThat(launcherOptions(build())).extracting(Opt::name)
                .allMatch(n -> List.of("--cgroup-procs", "--rlimit", "--uid", "--gid", "--fd", "--fdw", "--seccomp-fd").contains(n));
    }

    // ---- bubblewrap ----

    @Test
    void bwrap_unshares_everything_and_cannot_get_back() {
        List<String> names = bwrapOptions(build()).stream().map(Opt::name).toList();
        assertThat(names).contains("--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent", "--new-session");
        assertThat(names).doesNotContain("--share-net", "--cap-add");
    }

    @Test
    void bwrap_drops_all_capabilities() {
        assertThat(values(bwrapOptions(build()), "--cap-drop")).containsExactly("ALL");
    }

    @Test
    void root_is_remounted_read_only_after_every_mount() {
        List<Opt> opts = bwrapOptions(build());
        int remount = indexOf(opts, "--remount-ro", "/");
        for (String mount : List.of("--ro-bind", "--tmpfs", "--ro-bind-data", "--proc", "--dev", "--symlink")) {
            for (int i = 0; i < opts.size(); i++) {
                if (opts.get(i).name().equals(mount)) assertThat(i).as("%s before --remount-ro /", mount).isLessThan(remount);
            }
        }
    }

    @Test
    void writable_dirs_are_size_limited_tmpfs() {
        List<Opt> opts = bwrapOptions(build());
        assertThat(values(opts, "--tmpfs")).containsExactlyInAnyOrder("/tmp", "/dev/shm", "/box");
        for (String dir : List.of("/tmp", "/dev/shm", "/box")) {
            int tmpfs = indexOf(opts, "--tmpfs", dir);
            // bwrap's --size applies to the next --tmpfs only: it must sit between it and the previous mount
            List<Opt> modifiers = new ArrayList<>();
            for (int i = tmpfs - 1; i >= 0 && List.of("--size", "--perms").contains(opts.get(i).name()); i--) modifiers.add(opts.get(i));
            assertThat(modifiers).as("modifiers of --tmpfs %s", dir).contains(new Opt("--size", List.of(Long.toString(WRITABLE))));
        }
    }

    @Test
    void input_files_are_read_only_data_placed_in_the_work_dir_after_its_tmpfs() {
        List<Opt> opts = bwrapOptions(build());
        assertThat(all(opts, "--ro-bind-data")).containsExactly(
                List.of(Integer.toString(LaunchCommand.FD_FIRST_FILE), "/box/main.py"),
                List.of(Integer.toString(LaunchCommand.FD_FIRST_FILE + 1), "/box/data.txt"));
        int boxTmpfs = indexOf(opts, "--tmpfs", "/box");
        assertThat(indexOf(opts, "--ro-bind-data", Integer.toString(LaunchCommand.FD_FIRST_FILE), "/box/main.py"))
                .as("a tmpfs mounted later would hide the file").isGreaterThan(boxTmpfs);
        assertThat(values(opts, "--chdir")).containsExactly("/box");
    }

    @Test
    void bwrap_installs_the_seccomp_filter_and_reports_status_on_the_launcher_fds() {
        List<Opt> opts = bwrapOptions(build());
        assertThat(values(opts, "--seccomp")).containsExactly(Integer.toString(LaunchCommand.FD_SECCOMP));
        assertThat(values(opts, "--json-status-fd")).containsExactly(Integer.toString(LaunchCommand.FD_STATUS));
    }

    @Test
    void only_usr_and_the_language_mounts_come_from_the_host() {
        List<Opt> opts = bwrapOptions(build());
        assertThat(all(opts, "--ro-bind")).containsExactly(List.of("/usr", "/usr"), List.of("/opt/jdk", "/opt/jdk"));
        for (String writable : List.of("--bind", "--bind-try", "--dev-bind", "--dev-bind-try", "--ro-bind-try", "--bind-data", "--file")) {
            assertThat(all(opts, writable)).as(writable).isEmpty();
        }
        assertThat(values(opts, "--proc")).containsExactly("/proc");
        assertThat(values(opts, "--dev")).containsExactly("/dev");
    }

    @Test
    void nothing_of_the_hosts_etc_home_root_or_var_is_visible() {
        List<Opt> opts = bwrapOptions(build());
        for (Opt o : opts) {
            if (!o.name().contains("bind") && !o.name().equals("--file")) continue;
            Path source = Path.of(o.args().get(0));
            for (String secret : List.of("/etc", "/home", "/root", "/var", "/run", "/sys")) {
                assertThat(source.startsWith(secret)).as("%s %s", o.name(), o.args()).isFalse();
            }
            assertThat(source).as("the host's whole root").isNotEqualTo(Path.of("/"));
        }
    }

    @Test
    void merged_usr_links_point_into_the_read_only_usr() {
        assertThat(all(bwrapOptions(build()), "--symlink")).containsExactly(
                List.of("usr/bin", "/bin"), List.of("usr/lib", "/lib"), List.of("usr/lib64", "/lib64"));
    }

    @Test
    void environment_is_exactly_the_specs() {
        List<Opt> opts = bwrapOptions(build());
        Map<String, String> env = new TreeMap<>();
        for (List<String> kv : all(opts, "--setenv")) {
            assertThat(env.put(kv.get(0), kv.get(1))).as("%s set twice", kv.get(0)).isNull();
        }
        assertThat(env).isEqualTo(ENV);
    }

    @Test
    void inherited_environment_is_cleared_before_any_variable_is_set() {
        List<Opt> opts = bwrapOptions(build());
        int clear = indexOf(opts, "--clearenv");
        for (int i = 0; i < opts.size(); i++) {
            if (opts.get(i).name().equals("--setenv")) assertThat(i).isGreaterThan(clear);
        }
        assertThat(all(opts, "--unsetenv")).isEmpty();
    }

    @Test
    void program_argv_comes_last_verbatim() {
        List<String> cmd = build();
        assertThat(program(cmd)).isEqualTo(ARGV);
        assertThat(cmd.subList(cmd.size() - ARGV.size() - 1, cmd.size()))
                .as("'--' then the argv, even when the argv looks like options").isEqualTo(concat("--", ARGV));
    }

    @Test
    void command_without_input_files_has_no_file_fds() {
        RunLimits limits = new RunLimits(Duration.ofSeconds(1), Duration.ofSeconds(2), 1L << 20, 1.0, 8, 1024, WRITABLE, 64);
        RunSpec bare = new RunSpec(List.of("/usr/bin/true"), Map.of(), new byte[0], limits, List.of(), Map.of());
        List<String> cmd = LaunchCommand.build(LAUNCHER, BWRAP, UID, PROCS, STAGING, STATUS, List.of(), bare, List.of());

        assertThat(values(launcherOptions(cmd), "--fd")).isEmpty();
        assertThat(all(bwrapOptions(cmd), "--ro-bind-data")).isEmpty();
        assertThat(all(bwrapOptions(cmd), "--setenv")).isEmpty();
        assertThat(bwrapOptions(cmd).stream().map(Opt::name)).contains("--clearenv");
        assertThat(program(cmd)).containsExactly("/usr/bin/true");
    }

    private static List<String> concat(String first, List<String> rest) {
        List<String> out = new ArrayList<>();
        out.add(first);
        out.addAll(rest);
        return out;
    }
}
