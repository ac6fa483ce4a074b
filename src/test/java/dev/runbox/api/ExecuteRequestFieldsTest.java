package dev.runbox.api;

import dev.runbox.config.RunboxConfig;
import dev.runbox.language.LanguageRegistry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;

import static dev.runbox.testing.TestServer.JSON;
import static dev.runbox.testing.TestServer.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The fields added for the product surface: cache and callback_url. */
class ExecuteRequestFieldsTest {

    static LanguageRegistry languages;

    @BeforeAll
    static void load() throws Exception {
        languages = LanguageRegistry.load(Optional.empty());
    }

    private static ExecuteRequest parse(Map<String, String> settings, Object... fields) {
        return ExecuteRequest.parse(body("print(1)", fields), RunboxConfig.from(Map.of(), settings), languages);
    }

    @Test
    void cache_defaults_to_the_server_setting_and_a_request_may_say_otherwise() {
        assertThat(parse(Map.of()).cache()).isFalse();
        assertThat(parse(Map.of(), "cache", true).cache()).isTrue();
        assertThat(parse(Map.of("cache", "true")).cache()).isTrue();
        assertThat(parse(Map.of("cache", "true"), "cache", false).cache()).isFalse();
        assertThat(parse(Map.of("cache", "true"), "cache", null).cache()).isTrue();
    }

    @Test
    void callback_url_is_kept_when_the_server_accepts_it() {
        Map<String, String> on = Map.of("callback-secret", "0123456789abcdef", "callback-allow-private", "true");
        assertThat(parse(on, "callback_url", "http://127.0.0.1:9000/hook").callbackUrl())
                .hasValueSatisfying(u -> assertThat(u.toString()).isEqualTo("http://127.0.0.1:9000/hook"));
        assertThat(parse(on).callbackUrl()).isEmpty();
        assertThatThrownBy(() -> parse(on, "callback_url", 42)).isInstanceOfSatisfying(Problem.class,
                p -> assertThat(p.body("/execute").get("field")).isEqualTo("callback_url"));
    }

    @Test
    void unknown_fields_are_still_refused_and_the_accepted_list_names_the_new_ones() {
        assertThatThrownBy(() -> parse(Map.of(), "webhook", "http://x")).isInstanceOfSatisfying(Problem.class, p -> {
            assertThat(p.body("/execute").get("field")).isEqualTo("webhook");
            assertThat(p.getMessage()).contains("cache").contains("callback_url");
        });
        assertThat(JSON.valueToTree(ExecuteRequest.FIELDS).toString()).contains("cache", "callback_url");
    }
}
