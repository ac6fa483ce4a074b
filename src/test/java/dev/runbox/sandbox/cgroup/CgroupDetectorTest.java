package dev.runbox.sandbox.cgroup;

import dev.runbox.sandbox.SandboxFailure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CgroupDetectorTest {

    private static final String INSTANCE = "ab12cd34";
    /** Above any pid_max (at most 2^22). */
    private static final long PID = 999_999_999L;

    @TempDir
    Path tmp;

    private static String v1(String memory, String pids, String cpu, String cpuacct) {
        return "cgroup v1 (memory " + memory + ", pids " + pids + ", cpu " + cpu + ", cpuacct " + cpuacct + ")";
    }

    private static String v2(Path parent) {
        return "cgroup v2 (" + parent + ")";
    }

    // ---- cgroup v1 (hybrid hosts): no file is touched ----

    /** As on the machine these tests were written on: one mount per controller, memory in a sub-cgroup. */
    @Test
    void hybrid_host_uses_runbox_own_v1_cgroup_in_each_hierarchy() throws Exception {
        String cgroup = """
                9:name=systemd:/
                8:pids:/
                7:blkio:/
                6:freezer:/
                5:devices:/
                4:memory:/process_api/0dc93731043a5ea1f8193b751e113893
                3:cpuset:/
                2:cpuacct:/
                1:cpu:/
                0::/
                """;
        String mountinfo = """
                22 1 0:21 / / rw,relatime - overlay overlay rw,lowerdir=/a,upperdir=/b,workdir=/c
                31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
                32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
                33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
                34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
                35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
                36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices
                37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
                38 31 0:35 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio
                39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
                40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
                41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
                """;

        Cgroups c = CgroupDetector.detect(INSTANCE, cgroup, mountinfo, PID);

        assertThat(c).isInstanceOf(CgroupV1.class);
        assertThat(c.describe()).isEqualTo(v1("/sys/fs/cgroup/memory/process_api/0dc93731043a5ea1f8193b751e113893",
                "/sys/fs/cgroup/pids", "/sys/fs/cgroup/cpu", "/sys/fs/cgroup/cpuacct"));
    }

    /** Ubuntu 20.04 with systemd: cpu and cpuacct co-mounted, optional fields before the separator. */
    @Test
    void systemd_hybrid_host_with_co_mounted_cpu_and_cpuacct() throws Exception {
        String cgroup = """
                12:memory:/system.slice/runbox.service
                11:cpu,cpuacct:/system.slice/runbox.service
                6:pids:/system.slice/runbox.service
                1:name=systemd:/system.slice/runbox.service
                0::/system.slice/runbox.service
                """;
        String mountinfo = """
                25 30 0:23 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755
                26 25 0:24 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 cgroup2 rw,nsdelegate
                27 25 0:25 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:11 - cgroup cgroup rw,xattr,name=systemd
                31 25 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:15 - cgroup cgroup rw,cpu,cpuacct
                33 25 0:31 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:17 - cgroup cgroup rw,pids
                37 25 0:35 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:21 - cgroup cgroup rw,memory
                """;

        Cgroups c = CgroupDetector.detect(INSTANCE, cgroup, mountinfo, PID);

        String svc = "/system.slice/runbox.service";
        assertThat(c.describe()).isEqualTo(v1("/sys/fs/cgroup/memory" + svc, "/sys/fs/cgroup/pids" + svc,
                "/sys/fs/cgroup/cpu,cpuacct" + svc, "/sys/fs/cgroup/cpu,cpuacct" + svc));
    }

    /** Docker on a v1 host without a cgroup namespace: the mount shows only the container's subtree. */
    @Test
    void container_whose_v1_mounts_show_only_its_own_subtree() throws Exception {
        String id = "/docker/3f4e9b0c2a1d";
        String cgroup = "12:memory:" + id + "\n11:cpu,cpuacct:" + id + "\n6:pids:" + id + "/worker\n0::/system.slice/containerd.service\n";
        String mountinfo = """
                600 590 0:32 /docker/3f4e9b0c2a1d /sys/fs/cgroup/memory ro,nosuid,nodev,noexec,relatime master:15 - cgroup cgroup rw,memory
                601 590 0:29 /docker/3f4e9b0c2a1d /sys/fs/cgroup/cpu,cpuacct ro,nosuid,nodev,noexec,relatime master:12 - cgroup cgroup rw,cpu,cpuacct
                602 590 0:31 /docker/3f4e9b0c2a1d /sys/fs/cgroup/pids ro,nosuid,nodev,noexec,relatime master:17 - cgroup cgroup rw,pids
                """;

        Cgroups c = CgroupDetector.detect(INSTANCE, cgroup, mountinfo, PID);

        assertThat(c.describe()).isEqualTo(v1("/sys/fs/cgroup/memory", "/sys/fs/cgroup/pids/worker",
                "/sys/fs/cgroup/cpu,cpuacct", "/sys/fs/cgroup/cpu,cpuacct"));
    }

    /** The mount shows /docker/abc; this process is in /docker/abcdef, a sibling that merely shares a prefix. */
    @Test
    void v1_mount_root_matches_only_whole_path_elements() {
        String cgroup = "12:memory:/docker/abcdef\n11:cpu,cpuacct:/docker/abcdef\n6:pids:/docker/abcdef\n";
        String mountinfo = """
                600 590 0:32 /docker/abc /sys/fs/cgroup/memory ro,relatime - cgroup cgroup rw,memory
                601 590 0:29 /docker/abc /sys/fs/cgroup/cpu,cpuacct ro,relatime - cgroup cgroup rw,cpu,cpuacct
                602 590 0:31 /docker/abc /sys/fs/cgroup/pids ro,relatime - cgroup cgroup rw,pids
                """;

        // stripping the prefix alone gave /sys/fs/cgroup/memory/def: a cgroup that is not this process's
        assertThatThrownBy(() -> CgroupDetector.detect(INSTANCE, cgroup, mountinfo, PID))
                .isInstanceOf(SandboxFailure.class)
                .hasMessageContaining("this process's cgroup /docker/abcdef is not under /docker/abc")
                .hasMessageContaining("/sys/fs/cgroup/memory")
                .hasMessageContaining("check-host");
    }

    @Test
    void v1_cgroup_outside_the_mounts_subtree_is_refused() {
        String cgroup = "12:memory:/system.slice/runbox.service\n11:cpu,cpuacct:/docker/abc\n6:pids:/docker/abc\n";
        String mountinfo = """
                600 590 0:32 /docker/abc /sys/fs/cgroup/memory ro,relatime - cgroup cgroup rw,memory
                601 590 0:29 /docker/abc /sys/fs/cgroup/cpu,cpuacct ro,relatime - cgroup cgroup rw,cpu,cpuacct
                602 590 0:31 /docker/abc /sys/fs/cgroup/pids ro,relatime - cgroup cgroup rw,pids
                """;

        assertThatThrownBy(() -> CgroupDetector.detect(INSTANCE, cgroup, mountinfo, PID))
                .isInstanceOf(SandboxFailure.class)
                .hasMessageContaining("this process's cgroup /system.slice/runbox.service is not under /docker/abc");
    }

    @Test
    void v1_host_without_a_pids_hierarchy_is_refused_by_name() {
        String cgroup = "4:memory:/\n2:cpu,cpuacct:/\n";
        String mountinfo = """
                35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
                32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct
                """;

        assertThatThrownBy(() -> CgroupDetector.detect(INSTANCE, cgroup, mountinfo, PID))
                .isInstanceOf(SandboxFailure.class).hasMessageContaining("'pids'").hasMessageContaining("check-host");
    }

    @Test
    void host_without_any_cgroup_mount_is_refused() {
        String mountinfo = "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n";

        assertThatThrownBy(() -> CgroupDetector.detect(INSTANCE, "0::/\n", mountinfo, PID))
                .isInstanceOf(SandboxFailure.class).hasMessageContaining("no usable cgroup hierarchy");
    }

    // ---- cgroup v2: detect() prepares the tree, so the mount is a fake tree in @TempDir ----

    private static String v2Mountinfo(Path mountPoint, String root) {
        return "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw,errors=remount-ro\n"
                + "35 24 0:30 " + root + " " + mountPoint.toString().replace(" ", "\\040")
                + " rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n"
                + "36 24 0:31 / /sys/fs/bpf rw,nosuid,nodev,noexec,relatime shared:10 - bpf bpf rw,mode=700\n";
    }

    /** A delegated cgroup whose controllers are enabled for children already (prepare() is then a no-op). */
    private static Path preparedGroup(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("cgroup.controllers"), "cpuset cpu io memory pids\n");
        Files.writeString(dir.resolve("cgroup.subtree_control"), "cpu memory pids\n");
        return dir;
    }

    @Test
    void pure_v2_host_uses_the_mount_plus_runbox_own_cgroup() throws Exception {
        Path mount = tmp.resolve("cgroup");
        Path own = preparedGroup(mount.resolve("system.slice/runbox.service"));

        Cgroups c = CgroupDetector.detect(INSTANCE, "0::/system.slice/runbox.service\n", v2Mountinfo(mount, "/"), PID);

        assertThat(c).isInstanceOf(CgroupV2.class);
        assertThat(c.describe()).isEqualTo(v2(own));
    }

    @Test
    void runbox_already_in_its_supervisor_leaf_uses_the_parent_again() throws Exception {
        Path mount = tmp.resolve("cgroup");
        Path own = preparedGroup(mount.resolve("system.slice/runbox.service"));
        Files.createDirectories(own.resolve("runbox-supervisor"));

        Cgroups c = CgroupDetector.detect(INSTANCE, "0::/system.slice/runbox.service/runbox-supervisor\n",
                v2Mountinfo(mount, "/"), PID);

        assertThat(c.describe()).isEqualTo(v2(own));
    }

    @Test
    void a_cgroup_merely_named_like_the_supervisor_is_not_its_parent() throws Exception {
        Path mount = tmp.resolve("cgroup");
        Path own = preparedGroup(mount.resolve("system.slice/not-runbox-supervisor"));

        Cgroups c = CgroupDetector.detect(INSTANCE, "0::/system.slice/not-runbox-supervisor\n", v2Mountinfo(mount, "/"), PID);

        assertThat(c.describe()).isEqualTo(v2(own));
    }

    @Test
    void detect_moves_runbox_into_its_supervisor_leaf_on_an_unprepared_v2_host() throws Exception {
        Path mount = tmp.resolve("cgroup");
        Path own = mount.resolve("system.slice/runbox.service");
        Files.createDirectories(own.resolve("runbox-supervisor"));
        Files.writeString(own.resolve("cgroup.controllers"), "cpuset cpu io memory pids\n");
        Files.writeString(own.resolve("cgroup.subtree_control"), "\n");
        Files.writeString(own.resolve("runbox-supervisor/cgroup.procs"), ""); // the kernel makes it at mkdir

        CgroupDetector.detect(INSTANCE, "0::/system.slice/runbox.service\n", v2Mountinfo(mount, "/"), PID);

        assertThat(Files.readString(own.resolve("runbox-supervisor/cgroup.procs"))).isEqualTo(Long.toString(PID));
        assertThat(Files.readString(own.resolve("cgroup.subtree_control"))).isEqualTo("+memory +pids +cpu");
    }

    @Test
    void v2_host_that_does_not_delegate_a_controller_is_refused_by_name() throws Exception {
        Path mount = tmp.resolve("cgroup");
        Path own = mount.resolve("user.slice/user-1000.slice");
        Files.createDirectories(own);
        Files.writeString(own.resolve("cgroup.controllers"), "cpu memory\n");
        Files.writeString(own.resolve("cgroup.subtree_control"), "\n");

        assertThatThrownBy(() -> CgroupDetector.detect(INSTANCE, "0::/user.slice/user-1000.slice\n", v2Mountinfo(mount, "/"), PID))
                .isInstanceOf(SandboxFailure.class).hasMessageContaining("'pids'").hasMessageContaining(own.toString());
    }

    /** Docker with --cgroupns=host on a v2 host: mountinfo's root is the container's own cgroup. */
    @Test
    void container_whose_v2_mount_root_is_its_own_cgroup() throws Exception {
        Path mount = tmp.resolve("cgroup");
        preparedGroup(mount);
        String scope = "/system.slice/docker-3f4e9b0c2a1d.scope";

        Cgroups c = CgroupDetector.detect(INSTANCE, "0::" + scope + "\n", v2Mountinfo(mount, scope), PID);

        assertThat(c.describe()).isEqualTo(v2(mount));
    }

    @Test
    void container_process_below_its_v2_mount_root_resolves_below_the_mount() throws Exception {
        Path mount = tmp.resolve("cgroup");
        Path app = preparedGroup(mount.resolve("app"));
        String scope = "/system.slice/docker-3f4e9b0c2a1d.scope";

        Cgroups c = CgroupDetector.detect(INSTANCE, "0::" + scope + "/app\n", v2Mountinfo(mount, scope), PID);

        assertThat(c.describe()).isEqualTo(v2(app));
    }

    /** Docker's default on v2: a private cgroup namespace, where both files say "/". */
    @Test
    void v2_mount_root_matches_only_whole_path_elements() throws Exception {
        Path mount = preparedGroup(tmp.resolve("cgroup"));
        preparedGroup(mount.resolve("-old")); // what stripping the prefix alone would pick
        String scope = "/system.slice/docker-abc.scope";

        assertThatThrownBy(() -> CgroupDetector.detect(INSTANCE, "0::" + scope + "-old\n", v2Mountinfo(mount, scope), PID))
                .isInstanceOf(SandboxFailure.class)
                .hasMessageContaining("this process's cgroup " + scope + "-old is not under " + scope)
                .hasMessageContaining(mount.toString());
    }

    @Test
    void v2_cgroup_outside_the_mounts_subtree_is_refused() {
        Path mount = tmp.resolve("cgroup");

        assertThatThrownBy(() -> CgroupDetector.detect(INSTANCE, "0::/user.slice/user-1000.slice\n",
                v2Mountinfo(mount, "/system.slice/docker-abc.scope"), PID))
                .isInstanceOf(SandboxFailure.class)
                .hasMessageContaining("this process's cgroup /user.slice/user-1000.slice is not under /system.slice/docker-abc.scope");
    }

    /** A process moved out of its cgroup namespace's root sees its cgroup as "/../..". */
    @Test
    void cgroup_above_the_namespace_root_is_refused_not_resolved_above_the_mount() throws Exception {
        Path mount = preparedGroup(tmp.resolve("ns/cgroup"));
        preparedGroup(tmp.resolve("elsewhere"));

        assertThatThrownBy(() -> CgroupDetector.detect(INSTANCE, "0::/../../elsewhere\n", v2Mountinfo(mount, "/"), PID))
                .isInstanceOf(SandboxFailure.class)
                .hasMessageContaining("this process's cgroup /../../elsewhere is not under /");
    }

    @Test
    void container_in_its_own_cgroup_namespace_uses_the_mount() throws Exception {
        Path mount = preparedGroup(tmp.resolve("cgroup"));

        Cgroups c = CgroupDetector.detect(INSTANCE, "0::/\n", v2Mountinfo(mount, "/"), PID);

        assertThat(c.describe()).isEqualTo(v2(mount));
    }

    @Test
    void escaped_space_in_a_mount_point_is_unescaped() throws Exception {
        Path mount = tmp.resolve("cgroup root");
        Path own = preparedGroup(mount.resolve("runbox"));

        Cgroups c = CgroupDetector.detect(INSTANCE, "0::/runbox\n", v2Mountinfo(mount, "/"), PID);

        assertThat(c.describe()).isEqualTo(v2(own));
    }

    @Test
    void mountinfo_lines_are_read_for_type_mount_point_and_root() {
        var mounts = CgroupDetector.parseMounts("""
                31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
                32 31 0:29 /docker/x /sys/fs/cgroup/cpu,cpuacct rw,relatime shared:5 master:2 - cgroup cgroup rw,cpu,cpuacct
                41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
                garbage
                """);

        assertThat(mounts).containsExactly(
                new CgroupDetector.Mount(Path.of("/sys/fs/cgroup/cpu,cpuacct"), "/docker/x", false, java.util.List.of("rw", "cpu", "cpuacct")),
                new CgroupDetector.Mount(Path.of("/sys/fs/cgroup/unified"), "/", true, java.util.List.of()));
    }
}
