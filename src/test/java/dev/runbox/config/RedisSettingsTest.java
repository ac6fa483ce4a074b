package dev.runbox.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RedisSettingsTest {

    private static RunboxConfig config(Map<String, String> env, Map<String, String> flags) {
        return RunboxConfig.from(env, flags);
    }

    @Test
    void redis_url_comes_from_the_env_var_and_the_flag_wins() {
        RunboxConfig fromEnv = config(Map.of("RUNBOX_REDIS_URL", "redis://10.0.0.5:6379"), Map.of());
        assertThat(fromEnv.redisUrl()).map(RedisUrl::value).contains("redis://10.0.0.5:6379");

        RunboxConfig flagWins = config(Map.of("RUNBOX_REDIS_URL", "redis://10.0.0.5:6379"), Map.of("redis-url", "redis://10.0.0.6:6380"));
        assertThat(flagWins.redisUrl()).map(RedisUrl::value).contains("redis://10.0.0.6:6380");
        assertThat(config(Map.of(), Map.of()).redisUrl()).as("embedded by default").isEmpty();
    }

    @Test
    void password_is_never_shown_by_print_config_or_to_string() {
        RunboxConfig c = config(Map.of("RUNBOX_REDIS_URL", "redis://:hunter2@10.0.0.5:6379/0"), Map.of());

        assertThat(c.render()).contains("redis://:****@10.0.0.5:6379/0").doesNotContain("hunter2");
        assertThat(c.toString()).doesNotContain("hunter2");
        assertThat(RedisUrl.parse("rediss://alice:hunter2@h:6380").toString()).isEqualTo("rediss://alice:****@h:6380");
        assertThat(RedisUrl.parse("redis://:hunter2@h:6380").where()).isEqualTo("redis://h:6380");
    }

    @Test
    void bad_scheme_is_refused_without_echoing_the_password() {
        assertThatThrownBy(() -> config(Map.of(), Map.of("redis-url", "http://:hunter2@h:6379")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("scheme").hasMessageNotContaining("hunter2");
    }

    @Test
    void cluster_url_names_its_seed_nodes() {
        RedisUrl u = RedisUrl.parse("redis-cluster://:pw@h1:7000,h2:7001");
        assertThat(u.isCluster()).isTrue();
        assertThat(u.clusterNodes()).containsExactly("redis://:pw@h1:7000", "redis://:pw@h2:7001");
        assertThat(u.toString()).doesNotContain("pw@");
    }

    @Test
    void zero_workers_only_with_redis() {
        assertThatThrownBy(() -> config(Map.of(), Map.of("workers", "0"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("workers");
        assertThat(config(Map.of(), Map.of("workers", "0", "redis-url", "redis://h")).workers()).isZero();
    }

    @Test
    void lease_renewal_is_a_third_of_the_visibility_timeout_and_limits_are_checked() {
        RunboxConfig c = config(Map.of("RUNBOX_VISIBILITY_TIMEOUT_SEC", "30"), Map.of());
        assertThat(c.leaseRenewal()).isEqualTo(Duration.ofSeconds(10));
        assertThatThrownBy(() -> config(Map.of(), Map.of("visibility-timeout-sec", "1"))).isInstanceOf(ConfigException.class);
        assertThatThrownBy(() -> config(Map.of(), Map.of("worker-heartbeat-sec", "0"))).isInstanceOf(ConfigException.class);
        assertThatThrownBy(() -> config(Map.of(), Map.of("redis-timeout-ms", "10"))).isInstanceOf(ConfigException.class);
    }
}
