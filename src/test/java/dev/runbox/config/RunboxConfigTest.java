package dev.runbox.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RunboxConfigTest {

    private static final Map<String, String> NONE = Map.of();

    @Test
    void defaults_apply_when_nothing_is_set() {
        RunboxConfig c = RunboxConfig.from(NONE, NONE);

        assertThat(c.host()).isEqualTo("127.0.0.1");
        assertThat(c.port()).isEqualTo(8080);
        assertThat(c.workers()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(c.queueCapacity()).isEqualTo(10_000);
        assertThat(c.resultTtl()).isEqualTo(Duration.ofHours(1));
        assertThat(c.maxSourceBytes()).isEqualTo(1024 * 1024);
        assertThat(c.maxStdinBytes()).isEqualTo(16 * 1024 * 1024);
        assertThat(c.defaultTimeLimitSec()).isEqualTo(2.0);
        assertThat(c.defaultMemoryLimitMb()).isEqualTo(256);
        assertThat(c.defaultCpuCores()).isEqualTo(1.0);
        assertThat(c.maxTimeLimitSec()).isEqualTo(20.0);
        assertThat(c.maxMemoryLimitMb()).isEqualTo(2048);
        assertThat(c.minMemoryLimitMb()).isEqualTo(16);
        assertThat(c.maxCpuCores()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(c.outputCapBytes()).isEqualTo(1024 * 1024);
        assertThat(c.maxProcesses()).isEqualTo(128);
        assertThat(c.writableMb()).isEqualTo(64);
        assertThat(c.maxAttempts()).isEqualTo(3);
        assertThat(c.stateDir()).isEqualTo(RunboxConfig.STATE_BASE.resolve("runbox")); // /run/runbox on this machine
        assertThat(c.sandboxUidBase()).isEqualTo(60000);
        assertThat(c.languagesFile()).isEmpty();
        assertThat(c.shutdownGrace()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void environments_are_reused_by_default_for_at_most_100_runs_and_that_bound_is_checked() {
        RunboxConfig c = RunboxConfig.from(NONE, NONE);
        assertThat(c.sandboxReuse()).isTrue();
        assertThat(c.sandboxMaxRuns()).isEqualTo(100);
        // what a sandbox opened without a config uses (the tests, the benchmark) is the server's default
        assertThat(new dev.runbox.sandbox.EnvironmentReuse(c.sandboxReuse(), c.sandboxMaxRuns()))
                .isEqualTo(dev.runbox.sandbox.EnvironmentReuse.DEFAULT);
        assertThat(RunboxConfig.from(NONE, Map.of("sandbox-reuse", "false")).sandboxReuse()).isFalse();
        assertThatThrownBy(() -> RunboxConfig.from(NONE, Map.of("sandbox-max-runs", "0"))).hasMessageContaining("sandbox-max-runs");
    }

    @Test
    void the_state_dirs_go_under_var_lib_where_run_is_noexec_as_systemd_mounts_it() {
        var noexecRun = new dev.runbox.sandbox.cgroup.MountInfo.Mount(Path.of("/run"), "/", java.util.List.of("rw", "nosuid", "nodev", "noexec"), "tmpfs", java.util.List.of("rw"));
        var execRun = new dev.runbox.sandbox.cgroup.MountInfo.Mount(Path.of("/run"), "/", java.util.List.of("rw", "nosuid", "nodev"), "tmpfs", java.util.List.of("rw"));

        assertThat(RunboxConfig.stateBase(Optional.of(noexecRun))).isEqualTo(Path.of("/var/lib"));
        assertThat(RunboxConfig.stateBase(Optional.of(execRun))).isEqualTo(Path.of("/run"));
        assertThat(RunboxConfig.stateBase(Optional.empty())).isEqualTo(Path.of("/run"));
    }

    @Test
    void defaults_that_follow_the_cores_are_the_cores_on_a_small_host() {
        Map<String, String> d = RunboxConfig.defaults(4);
        // two sandboxes ready per worker, so back-to-back jobs still find one
        assertThat(d).containsEntry("workers", "4").containsEntry("prepared-sandboxes", "8").containsEntry("max-cpu-cores", "4");
    }

    @Test
    void defaults_on_a_host_with_more_than_256_cores_pass_their_own_checks() {
        RunboxConfig c = RunboxConfig.from(NONE, NONE, RunboxConfig.defaults(384));
        assertThat(c.workers()).isEqualTo(256);
        assertThat(c.preparedSandboxes()).isEqualTo(256);
        assertThat(c.maxCpuCores()).isEqualTo(384.0);
    }

    @Test
    void defaults_on_a_host_with_more_than_1024_cores_pass_their_own_checks() {
        RunboxConfig c = RunboxConfig.from(NONE, NONE, RunboxConfig.defaults(4096));
        assertThat(c.workers()).isEqualTo(256);
        assertThat(c.preparedSandboxes()).isEqualTo(256);
        assertThat(c.maxCpuCores()).isEqualTo(1024.0);
    }

    @Test
    void clamped_default_still_yields_to_an_explicit_value() {
        assertThatThrownBy(() -> RunboxConfig.from(NONE, Map.of("workers", "300"), RunboxConfig.defaults(384)))
                .isInstanceOf(ConfigException.class).hasMessageContaining("workers must be 1-256");
        assertThat(RunboxConfig.from(NONE, Map.of("workers", "8"), RunboxConfig.defaults(384)).workers()).isEqualTo(8);
    }

    @Test
    void env_name_is_the_setting_name_upper_cased_with_underscores() {
        assertThat(RunboxConfig.envName("max-time-limit-sec")).isEqualTo("RUNBOX_MAX_TIME_LIMIT_SEC");
        assertThat(RunboxConfig.envName("port")).isEqualTo("RUNBOX_PORT");
    }

    @Test
    void every_setting_can_be_set_from_the_environment() {
        Map<String, String> env = new LinkedHashMap<>();
        for (String name : RunboxConfig.DEFAULTS.keySet()) env.put(RunboxConfig.envName(name), RunboxConfig.DEFAULTS.get(name));
        env.put("RUNBOX_PORT", "9090");
        env.put("RUNBOX_MAX_TIME_LIMIT_SEC", "30");
        env.put("RUNBOX_DEFAULT_TIME_LIMIT_SEC", "25.5");
        env.put("RUNBOX_RESULT_TTL_SEC", "60");
        env.put("RUNBOX_STATE_DIR", "/var/lib/runbox");
        env.put("RUNBOX_LANGUAGES_FILE", "/etc/runbox/languages.json");

        RunboxConfig c = RunboxConfig.from(env, NONE);

        assertThat(c.port()).isEqualTo(9090);
        assertThat(c.maxTimeLimitSec()).isEqualTo(30.0);
        assertThat(c.defaultTimeLimitSec()).isEqualTo(25.5);
        assertThat(c.resultTtl()).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.stateDir()).isEqualTo(Path.of("/var/lib/runbox"));
        assertThat(c.languagesFile()).contains(Path.of("/etc/runbox/languages.json"));
    }

    @Test
    void environment_variables_without_the_runbox_prefix_are_ignored() {
        RunboxConfig c = RunboxConfig.from(Map.of("PORT", "9090", "port", "9091", "RUNBOXPORT", "9092", "XRUNBOX_PORT", "1"), NONE);
        assertThat(c.port()).isEqualTo(8080);
    }

    @ParameterizedTest
    @CsvSource({"RUNBOX_PROT", "RUNBOX_port", "RUNBOX_WORKER", "RUNBOX_MAX_TIME_LIMIT", "RUNBOX_", "RUNBOX_OUTPUT-CAP-BYTES"})
    void runbox_variable_that_names_no_setting_stops_the_start_naming_it(String name) {
        assertThatThrownBy(() -> RunboxConfig.from(Map.of(name, "9090", "RUNBOX_PORT", "9091"), NONE))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("unknown setting in the environment: " + name + " (");
    }

    @Test
    void every_unknown_runbox_variable_is_named_at_once() {
        assertThatThrownBy(() -> RunboxConfig.from(Map.of("RUNBOX_PROT", "1", "RUNBOX_WROKERS", "2", "HOME", "/root"), NONE))
                .isInstanceOf(ConfigException.class).hasMessageContaining("RUNBOX_PROT, RUNBOX_WROKERS");
    }

    @Test
    void runbox_variables_used_elsewhere_on_purpose_are_allowed() {
        RunboxConfig c = RunboxConfig.from(Map.of(
                "RUNBOX_JAVA_OPTS", "-Xmx1g", "RUNBOX_LOG_LEVEL", "DEBUG", "RUNBOX_CANARY_SECRET", "ci-canary-1",
                "RUNBOX_LAUNCHER", "/opt/runbox/runbox", "RUNBOX_SCOPED", "1"), NONE);
        assertThat(c.port()).isEqualTo(8080);
        assertThat(RunboxConfig.OTHER_ENV).containsExactlyInAnyOrder("RUNBOX_JAVA_OPTS", "RUNBOX_LOG_LEVEL", "RUNBOX_CANARY_SECRET",
                "RUNBOX_LAUNCHER", "RUNBOX_SCOPED");
    }

    @Test
    void no_other_runbox_variable_shadows_a_setting() {
        for (String name : RunboxConfig.DEFAULTS.keySet()) {
            assertThat(RunboxConfig.OTHER_ENV).doesNotContain(RunboxConfig.envName(name));
        }
    }

    @Test
    void flags_override_the_environment() {
        RunboxConfig c = RunboxConfig.from(
                Map.of("RUNBOX_PORT", "9090", "RUNBOX_QUEUE_CAPACITY", "5"),
                Map.of("port", "9191"));
        assertThat(c.port()).isEqualTo(9191);
        assertThat(c.queueCapacity()).as("env still applies where no flag is given").isEqualTo(5);
    }

    @Test
    void a_flag_may_fix_what_the_environment_got_wrong() {
        RunboxConfig c = RunboxConfig.from(Map.of("RUNBOX_PORT", "not-a-port"), Map.of("port", "9191"));
        assertThat(c.port()).isEqualTo(9191);
    }

    @Test
    void unknown_flag_is_rejected_by_name() {
        assertThatThrownBy(() -> RunboxConfig.from(NONE, Map.of("prot", "9090")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("prot");
    }

    @Test
    void values_are_trimmed() {
        RunboxConfig c = RunboxConfig.from(Map.of("RUNBOX_PORT", " 9090\n"), Map.of("host", " 0.0.0.0 "));
        assertThat(c.port()).isEqualTo(9090);
        assertThat(c.host()).isEqualTo("0.0.0.0");
    }

    @Test
    void blank_languages_file_means_the_shipped_one() {
        assertThat(RunboxConfig.from(NONE, Map.of("languages-file", "  ")).languagesFile()).isEqualTo(Optional.empty());
    }

    @Test
    void the_sandbox_is_bubblewrap_unless_docker_is_chosen() {
        RunboxConfig d = RunboxConfig.from(NONE, Map.of());
        assertThat(d.sandbox()).isEqualTo(RunboxConfig.SandboxKind.BUBBLEWRAP);
        assertThat(d.dockerHost()).isEqualTo("unix:///var/run/docker.sock");
        assertThat(d.dockerImage()).isEmpty();
        RunboxConfig docker = RunboxConfig.from(Map.of("RUNBOX_SANDBOX", "docker"),
                Map.of("docker-host", "unix:///run/d.sock", "docker-image", "python:3.12-slim"));
        assertThat(docker.sandbox()).isEqualTo(RunboxConfig.SandboxKind.DOCKER);
        assertThat(docker.dockerHost()).isEqualTo("unix:///run/d.sock");
        assertThat(docker.dockerImage()).contains("python:3.12-slim");
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
            "port                   | eighty",
            "port                   | -1",
            "port                   | 65536",
            "port                   | 8080.5",
            "workers                | 0",
            "workers                | 257",
            "sandbox                | podman",
            "sandbox                | ''",
            "docker-host            | tcp://10.0.0.1:2375",
            "docker-host            | /var/run/docker.sock",
            "prepared-sandboxes     | -1",
            "prepared-sandboxes     | 257",
            "queue-capacity         | 0",
            "queue-capacity         | -5",
            "result-ttl-sec         | 0",
            "result-ttl-sec         | 1h",
            "max-source-bytes       | 0",
            "max-stdin-bytes        | -1",
            "max-time-limit-sec     | abc",
            "max-time-limit-sec     | NaN",
            "max-time-limit-sec     | Infinity",
            "max-time-limit-sec     | -1",
            "max-time-limit-sec     | 0",
            "max-time-limit-sec     | 3601",
            "default-time-limit-sec | 20.5",
            "default-time-limit-sec | 0",
            "default-memory-limit-mb| 4096",
            "default-memory-limit-mb| 8",
            "min-memory-limit-mb    | 3",
            "min-memory-limit-mb    | 4096",
            "max-cpu-cores          | 0",
            "max-cpu-cores          | 1025",
            "default-cpu-cores      | 0.001",
            "default-cpu-cores      | 2000",
            "output-cap-bytes       | 0",
            "output-cap-bytes       | 9223372036854775808",
            "output-cap-bytes       | 1e9",
            "max-processes          | 0",
            "max-processes          | 32769",
            "writable-mb            | 0",
            "max-attempts           | 0",
            "max-attempts           | 21",
            "state-dir              | relative/runbox",
            "state-dir              | ./runbox",
            "sandbox-uid-base       | 999",
            "sandbox-uid-base       | 2000000000",
            "sandbox-uid-base       | 2147483647",
            "shutdown-grace-sec     | soon"})
    void invalid_value_stops_the_start_naming_the_setting(String name, String value) {
        Map<String, String> flags = new LinkedHashMap<>();
        flags.put("workers", "1");
        flags.put(name, value);
        assertThatThrownBy(() -> RunboxConfig.from(NONE, flags))
                .isInstanceOf(ConfigException.class).hasMessageContaining(name);
    }

    @Test
    void invalid_value_from_the_environment_names_the_setting() {
        assertThatThrownBy(() -> RunboxConfig.from(Map.of("RUNBOX_MAX_ATTEMPTS", "three"), NONE))
                .isInstanceOf(ConfigException.class).hasMessageContaining("max-attempts").hasMessageContaining("three");
    }

    @Test
    void default_above_a_lowered_maximum_is_rejected() {
        assertThatThrownBy(() -> RunboxConfig.from(NONE, Map.of("max-memory-limit-mb", "128")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("default-memory-limit-mb");
        assertThatThrownBy(() -> RunboxConfig.from(NONE, Map.of("max-time-limit-sec", "1")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("default-time-limit-sec");
        assertThatThrownBy(() -> RunboxConfig.from(NONE, Map.of("max-cpu-cores", "0.5")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("default-cpu-cores");
    }

    @Test
    void limits_at_their_bounds_are_accepted() {
        RunboxConfig c = RunboxConfig.from(NONE, Map.of(
                "port", "0", "max-time-limit-sec", "3600", "default-time-limit-sec", "3600",
                "min-memory-limit-mb", "4", "default-memory-limit-mb", "4",
                "max-cpu-cores", "0.01", "default-cpu-cores", "0.01",
                "max-attempts", "20", "sandbox-uid-base", "1000", "workers", "1"));
        assertThat(c.port()).isZero();
        assertThat(c.defaultTimeLimitSec()).isEqualTo(3600.0);
        assertThat(c.defaultCpuCores()).isEqualTo(0.01);
        assertThat(c.sandboxUidBase()).isEqualTo(1000);
    }

    @Test
    void output_cap_is_read_as_a_long_beyond_the_int_range() {
        RunboxConfig c = RunboxConfig.from(NONE, Map.of("output-cap-bytes", "3000000000"));
        assertThat(c.outputCapBytes()).isEqualTo(3_000_000_000L);
    }

    @Test
    void printed_config_shows_every_value_in_effect() {
        String text = RunboxConfig.from(NONE, Map.of("port", "9191", "state-dir", "/srv/runbox")).render();
        assertThat(text).contains("port=9191").contains("stateDir=/srv/runbox").doesNotContain("port=8080");
    }
}
