package dev.runbox.api;

import dev.runbox.config.RunboxConfig;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CallbackTargetsTest {

    @Test
    void non_public_addresses_are_named_and_public_ones_pass() throws Exception {
        Map<String, String> blocked = Map.ofEntries(
                Map.entry("127.0.0.1", "loopback"), Map.entry("127.8.9.10", "loopback"), Map.entry("::1", "loopback"),
                Map.entry("10.0.0.1", "private"), Map.entry("172.31.255.255", "private"), Map.entry("192.168.0.1", "private"),
                Map.entry("169.254.169.254", "link-local"), Map.entry("fe80::1", "link-local"),
                Map.entry("fc00::1", "unique-local"), Map.entry("fdff::1", "unique-local"),
                Map.entry("224.0.0.1", "multicast"), Map.entry("ff02::1", "multicast"),
                Map.entry("0.0.0.0", "unspecified"), Map.entry("::", "unspecified"), Map.entry("0.1.2.3", "'this network'"),
                Map.entry("100.64.0.1", "carrier-grade NAT"), Map.entry("255.255.255.255", "broadcast"),
                Map.entry("198.18.0.1", "benchmarking"), Map.entry("192.0.2.1", "documentation"),
                Map.entry("2001:db8::1", "documentation"), Map.entry("64:ff9b::7f00:1", "NAT64"),
                Map.entry("2002:7f00:1::", "6to4"), Map.entry("::ffff:10.0.0.1", "private"));
        blocked.forEach((address, why) -> {
            try {
                assertThat(CallbackTargets.notPublic(InetAddress.getByName(address))).as(address).hasValueSatisfying(
                        w -> assertThat(w).contains(why));
            } catch (java.net.UnknownHostException e) {
                throw new AssertionError(e);
            }
        });
        for (String address : new String[]{"8.8.8.8", "1.1.1.1", "93.184.216.34", "172.32.0.1", "100.128.0.1",
                "2606:4700:4700::1111", "2a00:1450:4001:80b::200e"}) {
            assertThat(CallbackTargets.notPublic(InetAddress.getByName(address))).as(address).isEmpty();
        }
    }

    private static RunboxConfig config(Map<String, String> flags) {
        return RunboxConfig.from(Map.of(), flags);
    }

    @Test
    void without_a_secret_every_callback_is_refused() {
        assertThatThrownBy(() -> CallbackTargets.check("http://8.8.8.8/x", config(Map.of())))
                .hasMessageContaining("callback-secret");
    }

    @Test
    void private_targets_pass_only_when_the_operator_allows_them() throws Exception {
        RunboxConfig strict = config(Map.of("callback-secret", "0123456789abcdef"));
        RunboxConfig allowing = config(Map.of("callback-secret", "0123456789abcdef", "callback-allow-private", "true"));
        assertThatThrownBy(() -> CallbackTargets.check("http://127.0.0.1:8080/x", strict)).hasMessageContaining("loopback");
        assertThat(CallbackTargets.check("http://127.0.0.1:8080/x", allowing).getPort()).isEqualTo(8080);
        // an address literal that is public needs no lookup and passes
        assertThat(CallbackTargets.check("https://8.8.8.8/hook?x=1", strict).getHost()).isEqualTo("8.8.8.8");
    }

    @Test
    void backoff_doubles_from_the_first_wait_up_to_the_cap() {
        Duration first = Duration.ofMillis(500);
        Duration max = Duration.ofSeconds(3);
        assertThat(Callbacks.backoff(1, first, max)).isEqualTo(Duration.ofMillis(500));
        assertThat(Callbacks.backoff(2, first, max)).isEqualTo(Duration.ofMillis(1000));
        assertThat(Callbacks.backoff(3, first, max)).isEqualTo(Duration.ofMillis(2000));
        assertThat(Callbacks.backoff(4, first, max)).isEqualTo(max);
        assertThat(Callbacks.backoff(20, first, max)).isEqualTo(max);
    }

    @Test
    void the_callback_secret_never_shows_in_the_printed_config() {
        RunboxConfig c = config(Map.of("callback-secret", "super-secret-value-123"));
        assertThat(c.render()).doesNotContain("super-secret-value-123");
        assertThat(c.callbackSecret()).hasValueSatisfying(s -> assertThat(s.value()).isEqualTo("super-secret-value-123"));
    }

    @Test
    void settings_that_make_no_sense_stop_the_start() {
        assertThatThrownBy(() -> config(Map.of("callback-secret", "short"))).hasMessageContaining("callback-secret");
        assertThatThrownBy(() -> config(Map.of("max-batch", "0"))).hasMessageContaining("max-batch");
        assertThatThrownBy(() -> config(Map.of("max-wait-sec", "0"))).hasMessageContaining("max-wait-sec");
        assertThatThrownBy(() -> config(Map.of("cache", "yes"))).hasMessageContaining("cache");
        assertThatThrownBy(() -> config(Map.of("callback-allow-private", "1"))).hasMessageContaining("callback-allow-private");
    }
}
