package dev.runbox.sandbox.bubblewrap;

import dev.runbox.sandbox.run.SandboxShape;
import dev.runbox.sandbox.RunSpec;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static java.util.Map.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The command that makes a sandbox, parsed back the way runbox-launch and bwrap read it. The job
 * (argv, environment, files, job-specific rlimits) is not in it: it reaches runbox-init on stdin
 * (see {@link dev.runbox.sandbox.run.InitJobTest}).
 */
class LaunchCommandTest {

    private static final Path LAUNCHER = Path.of("/run/runbox/bin/runbox-launch");
    private static final Path INIT = Path.of("/run/runbox/bin/runbox-init");
    private static final Path BWRAP = Path.of("/usr/bin/bwrap");
    private static final Path STATUS = Path.of("/run/runbox/runs/0123abcd/status.json");
    private static final int UID = 60007;
    private static final List<Path> PROCS = List.of(
            Path.of("/sys/fs/cgroup/memory/runbox-run-0123abcd/cgroup.procs"),
            Path.of("/sys/fs/cgroup/pids/runbox-run-0123abcd/cgroup.procs"),
            Path.of("/sys/fs/cgroup/cpu/runbox-run-0123abcd/cgroup.procs"));
    private static final long WRITABLE = 64L << 20;
    private static final List<String> USR_LINKS = List.of("bin", "lib", "lib64");

    private static List<String> build(SandboxShape shape, List<String> usrLinks) {
        return LaunchCommand.build(LAUNCHER, INIT, BWRAP, UID, PROCS, STATUS, shape, usrLinks);
    }

    private static List<String> build() {
        return build(new SandboxShape(List.of(Path.of("/opt/jdk")), WRITABLE, java.util.Optional.empty()), USR_LINKS);
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
            entry("--die-with-parent", 0), entry("--new-session", 0), entry("--as-pid-1", 0), entry("--clearenv", 0), entry("--share-net", 0),
            entry("--cap-drop", 1), entry("--cap-add", 1), entry("--hostname", 1), entry("--proc", 1), entry("--dev", 1),
            entry("--size", 1), entry("--perms", 1), entry("--tmpfs", 1), entry("--chdir", 1), entry("--remount-ro", 1),
            entry("--seccomp", 1), entry("--json-status-fd", 1), entry("--unsetenv", 1), entry("--dir", 1),
            entry("--ro-bind", 2), entry("--ro-bind-try", 2), entry("--bind", 2), entry("--bind-try", 2),
            entry("--dev-bind", 2), entry("--dev-bind-try", 2), entry("--symlink", 2), entry("--ro-bind-data", 2),
            entry("--bind-data", 2), entry("--file", 2), entry("--setenv", 2));

    /** bwrap's options up to the "--" before its program; fails on an option nobody reviewed. */
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

    private static List<String> names(List<Opt> opts) {
        return opts.stream().map(Opt::name).toList();
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
    void launcher_joins_every_cgroup_of_the_sandbox() {
        assertThat(values(launcherOptions(build()), "--cgroup-procs"))
                .containsExactlyElementsOf(PROCS.stream().map(Path::toString).toList());
    }

    @Test
    void launcher_drops_to_the_sandbox_uid_and_gid() {
        List<Opt> opts = launcherOptions(build());
        assertThat(values(opts, "--uid")).containsExactly("60007");
        assertThat(values(opts, "--gid")).containsExactly("60007");
    }

    @Test
    void launcher_sets_only_the_rlimits_that_do_not_depend_on_the_job() {
        assertThat(values(launcherOptions(build()), "--rlimit"))
                .containsExactlyInAnyOrder("core=0:0", "memlock=65536:65536", "msgqueue=0:0");
    }

    @Test
    void launcher_leaves_the_job_rlimits_to_runbox_init_which_can_only_lower_them() {
        // an unprivileged runbox-init cannot raise a hard limit: one set here would cap every job below it
        assertThat(values(launcherOptions(build()), "--rlimit"))
                .noneMatch(r -> r.startsWith("cpu=") || r.startsWith("fsize=") || r.startsWith("nofile="));
    }

    @Test
    void launcher_opens_runbox_init_seccomp_and_status_fds_for_bwrap() {
        List<Opt> opts = launcherOptions(build());
        assertThat(values(opts, "--fd")).containsExactly(LaunchCommand.FD_INIT + "=" + INIT);
        assertThat(values(opts, "--fdw")).containsExactly(LaunchCommand.FD_STATUS + "=" + STATUS);
        assertThat(values(opts, "--seccomp-fd")).containsExactly(Integer.toString(LaunchCommand.FD_SECCOMP));
    }

    @Test
    void launcher_fds_do_not_collide_with_each_other_or_stdio() {
        assertThat(List.of(LaunchCommand.FD_INIT, LaunchCommand.FD_STATUS, LaunchCommand.FD_SECCOMP,
                LaunchCommand.FD_BOX))
                .doesNotHaveDuplicates().allMatch(fd -> fd > 2);
    }

    @Test
    void launcher_knows_every_option_it_is_given() {
        assertThat(names(launcherOptions(build())))
                .allMatch(n -> List.of("--cgroup-procs", "--rlimit", "--uid", "--gid", "--fd", "--fdw", "--seccomp-fd").contains(n));
    }

    @Test
    void launcher_runs_bwrap_right_after_its_own_options() {
        List<String> cmd = build();
        assertThat(cmd.get(cmd.indexOf("--") + 1)).isEqualTo(BWRAP.toString());
    }

    // ---- bubblewrap ----

    @Test
    void bwrap_unshares_everything_and_cannot_get_back() {
        List<String> names = names(bwrapOptions(build()));
        assertThat(names).contains("--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent", "--new-session");
        assertThat(names).doesNotContain("--share-net");
    }

    @Test
    void runbox_init_is_the_runs_pid_1_so_the_program_cannot_signal_it_away() {
        assertThat(names(bwrapOptions(build()))).contains("--as-pid-1");
    }

    @Test
    void runbox_init_keeps_its_capabilities_in_the_sandboxs_user_namespace_to_make_each_runs_namespaces() {
        // the program drops them all itself, before exec (native/init.c; proved by EnvironmentResetTest)
        assertThat(values(bwrapOptions(build()), "--cap-add")).containsExactly("ALL");
        assertThat(values(bwrapOptions(build()), "--cap-drop")).isEmpty();
    }

    @Test
    void root_is_remounted_read_only_after_every_mount() {
        List<Opt> opts = bwrapOptions(build());
        int remount = indexOf(opts, "--remount-ro", "/");
        List<String> mounts = List.of("--ro-bind", "--tmpfs", "--ro-bind-data", "--proc", "--dev", "--symlink", "--dir");
        int checked = 0;
        for (int i = 0; i < opts.size(); i++) {
            if (!mounts.contains(opts.get(i).name())) continue;
            assertThat(i).as("%s %s before --remount-ro /", opts.get(i).name(), opts.get(i).args()).isLessThan(remount);
            checked++;
        }
        assertThat(checked).as("mounts seen").isGreaterThanOrEqualTo(9);
    }

    @Test
    void writable_dirs_are_size_limited_world_writable_tmpfs() {
        List<Opt> opts = bwrapOptions(build());
        assertThat(values(opts, "--tmpfs")).containsExactlyInAnyOrder("/tmp", "/dev/shm", RunSpec.WORK_DIR);
        for (String dir : List.of("/tmp", "/dev/shm", RunSpec.WORK_DIR)) {
            int tmpfs = indexOf(opts, "--tmpfs", dir);
            // bwrap's --size and --perms apply to the next mount only: they must sit right before this one
            List<Opt> modifiers = new ArrayList<>();
            for (int i = tmpfs - 1; i >= 0 && List.of("--size", "--perms").contains(opts.get(i).name()); i--) modifiers.add(opts.get(i));
            assertThat(modifiers).as("modifiers right before --tmpfs %s", dir)
                    .containsExactlyInAnyOrder(new Opt("--size", List.of(Long.toString(WRITABLE))), new Opt("--perms", List.of("1777")));
        }
    }

    @Test
    void tmpfs_size_is_the_shapes_writable_bytes() {
        List<Opt> opts = bwrapOptions(build(new SandboxShape(List.of(), 12345L, java.util.Optional.empty()), List.of()));
        assertThat(values(opts, "--size")).containsExactly("12345", "12345", "12345");
    }

    @Test
    void dev_shm_tmpfs_comes_after_dev_which_would_hide_it() {
        List<Opt> opts = bwrapOptions(build());
        assertThat(indexOf(opts, "--tmpfs", "/dev/shm")).isGreaterThan(indexOf(opts, "--dev", "/dev"));
    }

    @Test
    void runbox_init_is_placed_read_only_and_not_writable_from_the_launcher_fd() {
        List<Opt> opts = bwrapOptions(build());
        assertThat(all(opts, "--ro-bind-data")).containsExactly(List.of(Integer.toString(LaunchCommand.FD_INIT), "/.runbox/init"));
        int init = indexOf(opts, "--ro-bind-data", Integer.toString(LaunchCommand.FD_INIT), "/.runbox/init");
        // --perms applies to the next mount only: 0555 lets the sandbox's uid execute it, nobody write it
        assertThat(opts.get(init - 1)).as("option right before runbox-init's data").isEqualTo(new Opt("--perms", List.of("0555")));
        assertThat(LaunchCommand.INIT_PATH).isEqualTo("/.runbox/init");
    }

    @Test
    void work_dir_is_the_fresh_tmpfs() {
        List<Opt> opts = bwrapOptions(build());
        assertThat(values(opts, "--chdir")).containsExactly(RunSpec.WORK_DIR);
        assertThat(indexOf(opts, "--chdir", RunSpec.WORK_DIR)).isGreaterThan(indexOf(opts, "--tmpfs", RunSpec.WORK_DIR));
    }

    @Test
    void bwrap_leaves_the_seccomp_filter_to_runbox_init_and_reports_status_on_the_launcher_fd() {
        // runbox-init needs mount and unshare for each run; each program loads the filter before its exec
        List<Opt> opts = bwrapOptions(build());
        assertThat(values(opts, "--seccomp")).isEmpty();
        assertThat(values(opts, "--json-status-fd")).containsExactly(Integer.toString(LaunchCommand.FD_STATUS));
    }

    @Test
    void runbox_init_serves_runs_with_fresh_tmpfs_of_the_shapes_size() {
        assertThat(program(build())).containsExactly("/.runbox/init", "--serve", Long.toString(WRITABLE), "fresh-box");
    }

    @Test
    void only_usr_and_the_shapes_mounts_come_from_the_host() {
        List<Opt> opts = bwrapOptions(build());
        assertThat(all(opts, "--ro-bind")).containsExactly(List.of("/usr", "/usr"), List.of("/opt/jdk", "/opt/jdk"));
        for (String other : List.of("--bind", "--bind-try", "--dev-bind", "--dev-bind-try", "--ro-bind-try", "--bind-data", "--file")) {
            assertThat(all(opts, other)).as(other).isEmpty();
        }
        assertThat(values(opts, "--proc")).containsExactly("/proc");
        assertThat(values(opts, "--dev")).containsExactly("/dev");
    }

    @Test
    void shape_without_mounts_shows_only_usr() {
        List<Opt> opts = bwrapOptions(build(new SandboxShape(List.of(), WRITABLE, java.util.Optional.empty()), USR_LINKS));
        assertThat(all(opts, "--ro-bind")).containsExactly(List.of("/usr", "/usr"));
    }

    @Test
    void nothing_of_the_hosts_etc_home_root_or_var_is_bound() {
        List<Opt> opts = bwrapOptions(build());
        int binds = 0;
        for (Opt o : opts) {
            if (!o.name().contains("bind") && !o.name().equals("--file")) continue;
            binds++;
            Path source = Path.of(o.args().get(0));
            for (String secret : List.of("/etc", "/home", "/root", "/var", "/run", "/sys", "/proc", "/dev", "/tmp")) {
                assertThat(source.startsWith(secret)).as("%s %s", o.name(), o.args()).isFalse();
            }
            assertThat(source).as("the host's whole root").isNotEqualTo(Path.of("/"));
        }
        assertThat(binds).as("binds checked").isEqualTo(3);
    }

    @Test
    void merged_usr_links_point_into_the_read_only_usr() {
        assertThat(all(bwrapOptions(build()), "--symlink")).containsExactly(
                List.of("usr/bin", "/bin"), List.of("usr/lib", "/lib"), List.of("usr/lib64", "/lib64"));
    }

    @Test
    void host_usr_links_name_only_directories_of_usr() {
        assertThat(LaunchCommand.hostUsrLinks())
                .allMatch(name -> Files.isDirectory(Path.of("/usr", name)))
                .allMatch(name -> List.of("bin", "lib", "lib32", "lib64", "libx32", "sbin").contains(name));
    }

    @Test
    void inherited_environment_is_cleared_and_none_is_set() {
        List<Opt> opts = bwrapOptions(build());
        assertThat(names(opts)).contains("--clearenv");
        // the program's environment comes with its job, through runbox-init
        assertThat(all(opts, "--setenv")).isEmpty();
        assertThat(all(opts, "--unsetenv")).isEmpty();
    }

    @Test
    void the_sandbox_runs_exactly_runbox_init() {
        List<String> cmd = build();
        assertThat(program(cmd).get(0)).isEqualTo("/.runbox/init");
        assertThat(cmd.subList(cmd.size() - 5, cmd.size() - 3)).containsExactly("--", "/.runbox/init");
    }
}
