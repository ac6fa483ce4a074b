package dev.runbox.sandbox.cgroup;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The one mountinfo parser: every field its callers use, and the kernel's octal escapes decoded the same for all. */
class MountInfoTest {

    @Test
    void a_line_gives_mount_point_root_options_type_and_super_options() {
        List<MountInfo.Mount> mounts = MountInfo.parse(
                "32 31 0:29 /docker/x /sys/fs/cgroup/cpu,cpuacct rw,nosuid,noexec shared:5 master:2 - cgroup cgroup rw,cpu,cpuacct\n");

        assertThat(mounts).containsExactly(new MountInfo.Mount(Path.of("/sys/fs/cgroup/cpu,cpuacct"), "/docker/x",
                List.of("rw", "nosuid", "noexec"), "cgroup", List.of("rw", "cpu", "cpuacct")));
        assertThat(mounts.get(0).noexec()).isTrue();
    }

    @Test
    void space_tab_newline_and_backslash_are_decoded_in_mount_points_and_roots() {
        List<MountInfo.Mount> mounts = MountInfo.parse(
                "40 26 0:50 /a\\134b /var/lib/runbox/boxes/x\\040y\\011z\\012w rw - tmpfs tmpfs rw\n");

        assertThat(mounts.get(0).mountPoint()).isEqualTo(Path.of("/var/lib/runbox/boxes/x y\tz\nw"));
        assertThat(mounts.get(0).root()).isEqualTo("/a\\b");
    }

    @Test
    void a_backslash_not_followed_by_three_octal_digits_stays_and_an_escape_at_the_end_is_decoded() {
        assertThat(MountInfo.unescape("a\\9bc")).isEqualTo("a\\9bc");
        assertThat(MountInfo.unescape("end\\040")).isEqualTo("end ");
        assertThat(MountInfo.unescape("cut\\04")).isEqualTo("cut\\04");
    }

    @Test
    void lines_that_are_not_mountinfo_are_skipped() {
        assertThat(MountInfo.parse("garbage\n\n1 2 3 - x\n")).isEmpty();
    }

    @Test
    void this_hosts_mountinfo_has_a_root_mount() throws Exception {
        assertThat(MountInfo.read()).anyMatch(m -> m.mountPoint().equals(Path.of("/")));
    }
}
