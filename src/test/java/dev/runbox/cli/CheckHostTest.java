package dev.runbox.cli;

import dev.runbox.testing.DockerEngine;
import dev.runbox.testing.RunboxCli.Finished;
import dev.runbox.testing.RunboxCli;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code runbox check-host}: every check of this host, and with {@code --docker-host} the Docker Engine too. */
class CheckHostTest {

    @Test
    void this_host_passes_the_default_sandboxs_checks() throws Exception {
        Finished f = RunboxCli.run("check-host");
        assertThat(f.stdout()).contains("ok    bubblewrap", "ok    cgroups").doesNotContain("docker");
        assertThat(f.exitCode()).as(f.stdout()).isZero();
    }

    @Test
    void check_host_shows_whole_sysctl_numbers_and_its_state_dirs_mount_and_leaves_no_cgroup() throws Exception {
        String max = dev.runbox.sandbox.cgroup.KernelFiles.read(java.nio.file.Path.of("/proc/sys/user/max_user_namespaces")).strip();
        java.util.List<java.nio.file.Path> before = supervisorLeaves();

        Finished f = RunboxCli.run("check-host", "--set", "state-dir=/var/lib/runbox-check");

        assertThat(f.stdout()).contains("user namespaces: max_user_namespaces=" + max + " ", "state dir: /var/lib/runbox-check (on ");
        assertThat(supervisorLeaves()).isEqualTo(before);
        assertThat(java.nio.file.Path.of("/var/lib/runbox-check")).as("check-host makes no state dir").doesNotExist();
    }

    private static java.util.List<java.nio.file.Path> supervisorLeaves() throws java.io.IOException {
        try (var walk = java.nio.file.Files.find(java.nio.file.Path.of("/sys/fs/cgroup"), 8,
                (p, a) -> p.getFileName() != null && p.getFileName().toString().equals("runbox-supervisor"))) {
            return walk.sorted().toList();
        }
    }

    @Test
    void a_running_engine_on_the_cgroupfs_driver_passes_the_docker_check() throws Exception {
        Finished f = RunboxCli.run("check-host", "--docker-host", DockerEngine.shared().host());
        assertThat(f.stdout()).containsPattern("ok    docker: Docker \\S+ at unix://\\S+, cgroupfs cgroup driver");
        assertThat(f.exitCode()).as(f.stdout()).isZero();
    }

    @Test
    void a_socket_nobody_answers_fails_the_docker_check_with_its_fix() throws Exception {
        Finished f = RunboxCli.run("check-host", "--docker-host", "unix:///run/runbox-no-such-docker.sock");
        assertThat(f.stdout()).contains("FAIL  docker: no Docker Engine answers at unix:///run/runbox-no-such-docker.sock",
                "fix: apt-get install -y docker.io");
        assertThat(f.exitCode()).isEqualTo(1);
    }
}
