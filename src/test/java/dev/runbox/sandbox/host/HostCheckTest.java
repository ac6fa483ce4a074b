package dev.runbox.sandbox.host;

import dev.runbox.sandbox.cgroup.MountInfo;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The host checks that are pure functions of what the host shows: mountinfo, sysctls. */
class HostCheckTest {

    /** /proc/self/mountinfo of a Debian 12 host booted with systemd: /run is noexec, /var/lib is on the root fs. */
    static final String DEBIAN_12 = """
            21 26 0:20 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
            22 26 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
            24 26 0:23 / /run rw,nosuid,nodev,noexec,relatime shared:2 - tmpfs tmpfs rw,size=400000k,mode=755,inode64
            26 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw,errors=remount-ro
            28 21 0:25 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
            45 24 0:38 / /run/user/0 rw,nosuid,nodev,relatime shared:300 - tmpfs tmpfs rw,size=400000k,mode=700,inode64
            """;

    @Test
    void a_state_dir_under_a_noexec_run_fails_with_the_exact_fix() {
        HostCheck.Check c = HostCheck.stateDir(Path.of("/run/runbox"), MountInfo.holding(Path.of("/run/runbox"), DEBIAN_12));

        assertThat(c.ok()).isFalse();
        assertThat(c.detail()).isEqualTo("/run/runbox is on /run, mounted noexec");
        assertThat(c.fix()).startsWith("--set state-dir=/var/lib/runbox");
    }

    @Test
    void a_state_dir_under_var_lib_passes() {
        HostCheck.Check c = HostCheck.stateDir(Path.of("/var/lib/runbox"), MountInfo.holding(Path.of("/var/lib/runbox"), DEBIAN_12));

        assertThat(c.ok()).isTrue();
        assertThat(c.detail()).isEqualTo("/var/lib/runbox (on /, exec allowed)");
    }

    @Test
    void the_deepest_mount_holds_the_path_and_a_prefix_of_a_name_is_no_parent() {
        assertThat(MountInfo.holding(Path.of("/run/user/0/x"), DEBIAN_12).orElseThrow().mountPoint()).isEqualTo(Path.of("/run/user/0"));
        assertThat(MountInfo.holding(Path.of("/run/user/0/x"), DEBIAN_12).orElseThrow().noexec()).isFalse();
        assertThat(MountInfo.holding(Path.of("/running"), DEBIAN_12).orElseThrow().mountPoint()).isEqualTo(Path.of("/"));
    }

    @Test
    void of_two_mounts_on_one_point_the_later_is_on_top() {
        String stacked = DEBIAN_12 + "50 24 0:40 / /run rw,nosuid,nodev,relatime shared:9 - tmpfs tmpfs rw\n";
        assertThat(MountInfo.holding(Path.of("/run/runbox"), stacked).orElseThrow().noexec()).isFalse();
    }

    @Test
    void user_namespaces_on_a_stock_debian_host_pass_and_show_the_whole_number() {
        HostCheck.Check c = HostCheck.userNamespaces("15489", "1", "absent");

        assertThat(c.ok()).isTrue();
        assertThat(c.detail()).startsWith("max_user_namespaces=15489, unprivileged_userns_clone=1");
    }

    @Test
    void each_user_namespace_knob_that_is_off_gets_its_own_sysctl() {
        assertThat(HostCheck.userNamespaces("0", "absent", "absent").fix()).startsWith("sysctl -w user.max_user_namespaces=15000 (");
        assertThat(HostCheck.userNamespaces("15489", "0", "absent").fix()).startsWith("sysctl -w kernel.unprivileged_userns_clone=1 (");
        assertThat(HostCheck.userNamespaces("15489", "absent", "1").fix())
                .startsWith("sysctl -w kernel.apparmor_restrict_unprivileged_userns=0 (");
        assertThat(HostCheck.userNamespaces("15489", "absent", "1").ok()).isFalse();
    }
}
