package dev.runbox.language;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LanguageRegistryParseTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static Map<String, String> complete() {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("id", "\"java\"");
        fields.put("name", "\"Java 21\"");
        fields.put("source_file", "\"Main.java\"");
        fields.put("run", "[\"/usr/bin/java\", \"Main.java\"]");
        fields.put("version", "[\"/usr/bin/java\", \"-version\"]");
        fields.put("mounts", "[\"/usr/lib/jvm\", \"/etc/java-21-openjdk\"]");
        fields.put("env", "{\"JAVA_TOOL_OPTIONS\": \"-Xss8m\"}");
        return fields;
    }

    private static String json(Map<String, String> fields) {
        StringBuilder sb = new StringBuilder("{");
        fields.forEach((k, v) -> sb.append(sb.length() > 1 ? "," : "").append('"').append(k).append("\":").append(v));
        return sb.append('}').toString();
    }

    /** A complete entry. */
    private static String entry() {
        return json(complete());
    }

    /** A complete entry with one field's JSON replaced. */
    private static String with(String field, String json) {
        Map<String, String> f = complete();
        f.put(field, json);
        return json(f);
    }

    /** A complete entry without these fields. */
    private static String without(String... fields) {
        Map<String, String> f = complete();
        for (String field : fields) f.remove(field);
        return json(f);
    }

    private static List<Language> parse(String... entries) throws IOException {
        return LanguageRegistry.parse(JSON.readTree("{\"languages\": [" + String.join(",", entries) + "]}"));
    }

    @Test
    void complete_entry_is_read_field_by_field() throws IOException {
        List<Language> langs = parse(entry());

        assertThat(langs).hasSize(1);
        Language l = langs.get(0);
        assertThat(l.id()).isEqualTo("java");
        assertThat(l.name()).isEqualTo("Java 21");
        assertThat(l.sourceFile()).isEqualTo("Main.java");
        assertThat(l.run()).containsExactly("/usr/bin/java", "Main.java");
        assertThat(l.version()).containsExactly("/usr/bin/java", "-version");
        assertThat(l.mounts()).containsExactly(Path.of("/usr/lib/jvm"), Path.of("/etc/java-21-openjdk"));
        assertThat(l.env()).containsExactly(Map.entry("JAVA_TOOL_OPTIONS", "-Xss8m"));
        assertThat(l.detectedVersion()).as("known only after the version command ran").isNull();
    }

    @Test
    void mounts_and_env_are_optional() throws IOException {
        Language l = parse(without("mounts", "env")).get(0);
        assertThat(l.mounts()).isEmpty();
        assertThat(l.env()).isEmpty();
    }

    @Test
    void entries_keep_their_order() throws IOException {
        assertThat(parse(with("id", "\"java\""), with("id", "\"c++\""), with("id", "\"node_js-2\"")))
                .extracting(Language::id).containsExactly("java", "c++", "node_js-2");
    }

    @Test
    void shipped_languages_file_parses() throws IOException {
        JsonNode root;
        try (InputStream in = LanguageRegistry.class.getResourceAsStream("/languages.json")) {
            assertThat(in).as("languages.json on the classpath").isNotNull();
            root = JSON.readTree(in);
        }
        List<Language> langs = LanguageRegistry.parse(root);
        assertThat(langs).extracting(Language::id).contains("python");
        for (Language l : langs) {
            assertThat(Path.of(l.run().get(0))).as("%s runs an absolute program", l.id()).isAbsolute();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Python", "1python", "py thon", "../python", "py/thon", "python\n", "-python",
            "abcdefghijabcdefghijabcdefghijabc" /* 33 */, "pythön"})
    void bad_id_is_rejected(String id) {
        assertThatThrownBy(() -> parse(with("id", JSON.valueToTree(id).toString())))
                .isInstanceOf(IOException.class).hasMessageContaining("bad id");
    }

    @Test
    void longest_id_is_accepted() throws IOException {
        String id = "abcdefghijabcdefghijabcdefghijab"; // 32
        assertThat(parse(with("id", "\"" + id + "\""))).extracting(Language::id).containsExactly(id);
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"usr/lib/jvm\"", "\"./jvm\"", "\"\"", "\"~/jdk\""})
    void relative_mount_is_rejected(String mount) {
        assertThatThrownBy(() -> parse(with("mounts", "[\"/opt/ok\", " + mount + "]")))
                .isInstanceOf(IOException.class).hasMessageContaining("not absolute").hasMessageContaining("java");
    }

    @ParameterizedTest
    @ValueSource(strings = {"5", "null", "true", "[\"/opt\"]", "{}"})
    void mount_that_is_not_a_string_is_rejected(String mount) {
        assertThatThrownBy(() -> parse(with("mounts", "[\"/opt/ok\", " + mount + "]")))
                .isInstanceOf(IOException.class).hasMessageContaining("must be a string").hasMessageContaining("java");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/opt/../etc", "/usr/lib/jvm/../../../etc/shadow", "/opt/./jdk", "/opt/jdk/.", "/usr/lib/jvm/.."})
    void mount_that_is_not_normalized_is_rejected(String mount) {
        assertThatThrownBy(() -> parse(with("mounts", JSON.valueToTree(List.of(mount)).toString())))
                .isInstanceOf(IOException.class).hasMessageContaining("not normalized");
    }

    @Test
    void mount_of_the_whole_host_is_rejected() {
        for (String root : List.of("/", "//", "///")) {
            assertThatThrownBy(() -> parse(with("mounts", JSON.valueToTree(List.of(root)).toString())))
                    .as(root).isInstanceOf(IOException.class).hasMessageContaining("whole host");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/etc", "/etc/shadow", "/etc/ssh", "/etc/ssl/private", "/etc/javascript", "/etc/java",
            "/etc/alternativesx", "/root", "/root/.ssh", "/home", "/home/alice/.aws", "/var", "/var/lib/redis",
            "/proc", "/proc/1/root", "/sys", "/sys/fs/cgroup", "/dev", "/dev/sda", "/run", "/run/secrets", "/tmp",
            "/tmp/x", "/boot", "/boot/vmlinuz", "//etc//shadow"})
    void mount_of_a_host_secret_is_rejected(String mount) {
        assertThatThrownBy(() -> parse(with("mounts", JSON.valueToTree(List.of("/opt/ok", mount)).toString())))
                .isInstanceOf(IOException.class).hasMessageContaining("no sandbox may see").hasMessageContaining("java");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/etc/alternatives", "/etc/alternatives/java", "/etc/java-21-openjdk", "/etc/java-17-openjdk/security",
            "/usr/lib/jvm", "/opt/jdk", "/usr/local/lib/node_modules", "/variant", "/homebrew", "/devtools", "/etcetera"})
    void mount_a_toolchain_needs_is_accepted(String mount) throws IOException {
        assertThat(parse(with("mounts", JSON.valueToTree(List.of(mount)).toString())).get(0).mounts())
                .containsExactly(Path.of(mount));
    }

    @Test
    void mount_with_a_nul_is_rejected_as_not_a_path() {
        assertThatThrownBy(() -> parse(with("mounts", "[\"/opt/a\\u0000b\"]")))
                .isInstanceOf(IOException.class).hasMessageContaining("not a path");
    }

    @ParameterizedTest
    @ValueSource(strings = {"python3", "./main", "bin/java", ""})
    void run_must_start_with_an_absolute_program(String program) {
        assertThatThrownBy(() -> parse(with("run", JSON.valueToTree(List.of(program, "Main.java")).toString())))
                .isInstanceOf(IOException.class).hasMessageContaining("absolute program path").hasMessageContaining("java");
    }

    @ParameterizedTest
    @ValueSource(strings = {"run", "version"})
    void argv_item_that_is_not_a_string_is_rejected_not_coerced(String field) {
        for (String item : List.of("5", "null", "true", "1.5", "[\"-x\"]", "{}")) {
            assertThatThrownBy(() -> parse(with(field, "[\"/usr/bin/java\", " + item + "]")))
                    .as(item).isInstanceOf(IOException.class)
                    .hasMessageContaining("'" + field + "' must hold strings only");
        }
    }

    @Test
    void env_value_that_is_not_a_string_is_rejected_not_coerced() {
        assertThatThrownBy(() -> parse(with("env", "{\"XSS\": 8}")))
                .isInstanceOf(IOException.class).hasMessageContaining("env XSS of java must be a string");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "../Main.java", "src/Main.java", "/tmp/Main.java", ".hidden", "-rf", "Main java",
            "Main.java\n", "a:b", "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcde" /* 65 */, "Maïn.java"})
    void source_file_that_is_not_a_plain_file_name_is_rejected(String name) {
        assertThatThrownBy(() -> parse(with("source_file", JSON.valueToTree(name).toString())))
                .isInstanceOf(IOException.class).hasMessageContaining("source_file").hasMessageContaining("not a plain file name");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Main.java", "main.py", "_x", "a-b.c", "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcd" /* 64 */})
    void source_file_that_the_sandbox_accepts_is_accepted(String name) throws IOException {
        assertThat(parse(with("source_file", JSON.valueToTree(name).toString())).get(0).sourceFile()).isEqualTo(name);
        // the same rule as the work dir's: a language accepted here never fails when its run is built
        assertThat(dev.runbox.sandbox.RunSpec.isValidFileName(name)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"id", "name", "source_file", "run", "version"})
    void missing_field_is_rejected_by_name(String field) {
        assertThatThrownBy(() -> parse(without(field)))
                .isInstanceOf(IOException.class).hasMessageContaining("'" + field + "'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"id", "name", "source_file"})
    void text_field_that_is_not_text_is_rejected(String field) {
        assertThatThrownBy(() -> parse(with(field, "42")))
                .isInstanceOf(IOException.class).hasMessageContaining("'" + field + "'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"run", "version"})
    void command_must_be_a_non_empty_array(String field) {
        assertThatThrownBy(() -> parse(with(field, "[]")))
                .isInstanceOf(IOException.class).hasMessageContaining("'" + field + "'").hasMessageContaining("non-empty array");
        assertThatThrownBy(() -> parse(with(field, "\"/usr/bin/java Main.java\"")))
                .as("a shell-style string is not an argv").isInstanceOf(IOException.class).hasMessageContaining("'" + field + "'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{}", "{\"languages\": {}}", "{\"languages\": \"python\"}", "[]"})
    void file_without_a_languages_array_is_rejected(String json) {
        assertThatThrownBy(() -> LanguageRegistry.parse(JSON.readTree(json)))
                .isInstanceOf(IOException.class).hasMessageContaining("'languages' must be an array");
    }

    @Test
    void empty_languages_array_is_no_languages() throws IOException {
        assertThat(LanguageRegistry.parse(JSON.readTree("{\"languages\": []}"))).isEmpty();
    }
}
