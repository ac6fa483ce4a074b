package dev.runbox.sandbox.cgroup;

import dev.runbox.sandbox.SandboxFailure;
import dev.runbox.sandbox.host.HostCheck;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The cases a stock Debian 12 host (systemd 252, cgroup2 at /sys/fs/cgroup) met, on the fake cgroupfs:
 * what check-host and prepare() say, and that they change nothing when they cannot help. There is no
 * systemd on the build machine: systemd is described to the code ({@link CgroupV2Placement.Host}), never run.
 */
class CgroupV2PlacementTest {

    /** Above any pid_max: no real process is ever named or signalled. */
    private static final long SELF = 999_999_999L;
    private static final String SESSION = "/user.slice/user-0.slice/session-1.scope";
    private static final String RUNBOX = "/opt/runbox/runbox serve";
    private static final CgroupV2Placement.Host SYSTEMD = new CgroupV2Placement.Host(true, true, false, RUNBOX);
    private static final CgroupV2Placement.Host NO_SYSTEMD = new CgroupV2Placement.Host(false, false, false, RUNBOX);

    @TempDir
    Path root;
    private FakeCgroupFs fs;

    @BeforeEach
    void hierarchy() throws IOException {
        fs = new FakeCgroupFs(root, dir -> Map.of("cgroup.procs", "", "cgroup.controllers", "", "cgroup.subtree_control", ""));
        group("", "cpuset cpu io memory hugetlb pids rdma misc", "");
    }

    private Path group(String relative, String controllers, String procs) throws IOException {
        Path dir = root.resolve(relative);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("cgroup.controllers"), controllers + "\n");
        Files.writeString(dir.resolve("cgroup.subtree_control"), "\n");
        Files.writeString(dir.resolve("cgroup.procs"), procs);
        return dir;
    }

    private CgroupV2Placement.Problem problem(String own, CgroupV2Placement.Host host) throws SandboxFailure {
        return CgroupV2Placement.problem(fs.path(""), fs.path(own.substring(1)), own, SELF, host, pid -> pid == 812 ? "sshd" : "bash")
                .orElseThrow();
    }

    private String fake(String own) {
        return fs.path(own.substring(1)).toString();
    }

    @Test
    void root_ssh_session_is_busy_names_its_processes_and_is_relaunched_in_a_scope() throws Exception {
        group(SESSION.substring(1), "cpu memory pids", "812\n900\n" + SELF + "\n");

        CgroupV2Placement.Problem p = problem(SESSION, SYSTEMD);

        assertThat(p.detail()).contains("other processes share Runbox's cgroup " + fake(SESSION) + ": 812 (sshd), 900 (bash)",
                "Device or resource busy");
        assertThat(p.fix()).contains("`systemd-run --scope -p Delegate=yes /opt/runbox/runbox serve`", "./runbox install-service");
        assertThat(CgroupV2Placement.relaunchInScope(SESSION, SYSTEMD)).isTrue();
        assertThat(fs.writes).isEmpty();
    }

    @Test
    void a_plain_service_lacks_cpu_and_is_told_to_use_delegate_yes() throws Exception {
        String own = "/system.slice/runbox.service";
        group(own.substring(1), "memory pids", SELF + "\n");

        CgroupV2Placement.Problem p = problem(own, SYSTEMD);

        assertThat(p.detail()).startsWith("cgroup v2 controller 'cpu' not delegated to " + fake(own) + " (available: memory pids)");
        assertThat(p.fix()).contains("`./runbox install-service`", "`Delegate=yes`", "`systemd-run --scope -p Delegate=yes /opt/runbox/runbox serve`");
        assertThat(CgroupV2Placement.relaunchInScope(own, SYSTEMD)).as("a unit is never relaunched").isFalse();
    }

    @Test
    void without_systemd_the_fix_enables_the_controllers_on_each_ancestor_top_down() throws Exception {
        String own = "/a/b/runbox";
        group("a", "cpu memory pids", "");
        group("a/b", "memory", "");
        group("a/b/runbox", "memory", SELF + "\n");

        CgroupV2Placement.Problem p = problem(own, NO_SYSTEMD);

        assertThat(p.detail()).contains("controllers 'pids', 'cpu' not delegated");
        assertThat(p.fix()).contains("`echo '+memory +pids +cpu' > " + root.resolve("cgroup.subtree_control")
                + " && echo '+memory +pids +cpu' > " + root.resolve("a/cgroup.subtree_control")
                + " && echo '+memory +pids +cpu' > " + root.resolve("a/b/cgroup.subtree_control") + "`");
    }

    @Test
    void without_systemd_a_busy_cgroup_is_fixed_by_moving_the_others_to_a_leaf() throws Exception {
        String own = "/app";
        group("app", "cpu memory pids", "41\n" + SELF + "\n");

        CgroupV2Placement.Problem p = problem(own, NO_SYSTEMD);

        assertThat(p.detail()).contains(": 41 (bash)");
        assertThat(p.fix()).isEqualTo("move the other processes into a leaf of their own, then start Runbox again: `mkdir -p "
                + root.resolve("app/others") + " && for p in 41; do echo $p > " + root.resolve("app/others/cgroup.procs") + "; done`");
    }

    @Test
    void a_delegated_unit_with_a_wrapper_shell_in_it_is_told_to_exec_runbox() throws Exception {
        String own = "/system.slice/runbox.service";
        group(own.substring(1), "cpu memory pids", "77\n" + SELF + "\n");

        assertThat(problem(own, SYSTEMD).fix()).contains("make Runbox the only process of its unit");
    }

    @Test
    void a_controller_the_kernel_does_not_offer_is_not_called_undelegated() throws Exception {
        Files.writeString(root.resolve("cgroup.controllers"), "cpuset io memory pids\n");
        String own = "/system.slice/runbox.service";
        group(own.substring(1), "memory pids", SELF + "\n");

        CgroupV2Placement.Problem p = problem(own, SYSTEMD);

        assertThat(p.detail()).startsWith("the kernel offers no cgroup v2 controller cpu");
        assertThat(p.fix()).contains("systemd.unified_cgroup_hierarchy=1", "CONFIG_CFS_BANDWIDTH");
    }

    @Test
    void runbox_alone_in_a_delegated_cgroup_has_no_problem() throws Exception {
        String own = "/system.slice/runbox.service";
        group(own.substring(1), "cpu memory pids", SELF + "\n");

        assertThat(CgroupV2Placement.problem(fs.path(""), fs.path(own.substring(1)), own, SELF, SYSTEMD, pid -> "?")).isEmpty();
    }

    @Test
    void prepare_with_other_processes_in_the_cgroup_changes_nothing_and_names_them() throws Exception {
        String own = "/system.slice/runbox.service";
        Path dir = group(own.substring(1), "cpu memory pids", "77\n" + SELF + "\n");
        CgroupV2 v2 = new CgroupV2("ab12cd34", fs.path(own.substring(1)), fs.path(""), own, SYSTEMD);

        assertThatThrownBy(() -> v2.prepare(SELF)).isInstanceOf(SandboxFailure.class)
                .hasMessageContaining("other processes share Runbox's cgroup").hasMessageContaining("77 (")
                .hasMessageContaining("fix: ");
        assertThat(fs.writes).isEmpty();
        assertThat(dir.resolve(CgroupV2.SUPERVISOR)).doesNotExist();
    }

    @Test
    void check_host_on_an_unprepared_delegated_cgroup_leaves_no_trace() throws Exception {
        String own = "/system.slice/runbox.service";
        Path dir = group(own.substring(1), "cpu memory pids", SELF + "\n");

        HostCheck.Check c = HostCheck.cgroups(new CgroupDetector.V2Location(fs.path(""), fs.path(own.substring(1)), own),
                SELF, SYSTEMD, pid -> "?");

        assertThat(c.ok()).as(c.detail()).isTrue();
        assertThat(fs.writes).isEmpty();
        assertThat(dir.resolve(CgroupV2.SUPERVISOR)).doesNotExist();
    }

    @Test
    void check_host_in_a_login_session_says_runbox_relaunches_itself() throws Exception {
        group(SESSION.substring(1), "cpu memory pids", "812\n" + SELF + "\n");

        HostCheck.Check c = HostCheck.cgroups(new CgroupDetector.V2Location(fs.path(""), fs.path(SESSION.substring(1)), SESSION),
                SELF, SYSTEMD, pid -> "sshd");

        assertThat(c.ok()).isFalse();
        assertThat(c.detail()).contains("812 (sshd)", "start in a transient scope with Delegate=yes");
    }

    @Test
    void relaunching_needs_systemd_as_pid_1_and_systemd_run_and_happens_once() {
        assertThat(CgroupV2Placement.relaunchInScope(SESSION, NO_SYSTEMD)).isFalse();
        assertThat(CgroupV2Placement.relaunchInScope(SESSION, new CgroupV2Placement.Host(true, false, false, RUNBOX))).isFalse();
        assertThat(CgroupV2Placement.relaunchInScope(SESSION, new CgroupV2Placement.Host(true, true, true, RUNBOX))).isFalse();
        assertThat(CgroupV2Placement.relaunchInScope("/user.slice/user-1000.slice/user@1000.service/app.slice/x.scope", SYSTEMD))
                .isFalse();
        assertThat(CgroupV2Placement.relaunchInScope("/user.slice/user-1000.slice/session-c2.scope", SYSTEMD)).isTrue();
    }
}
