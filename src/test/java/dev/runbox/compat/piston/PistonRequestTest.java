package dev.runbox.compat.piston;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runbox.api.Problem;
import dev.runbox.config.RunboxConfig;
import dev.runbox.language.LanguageRegistry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A Piston request, written as the Runbox request that runs it, or refused in Piston's words. */
class PistonRequestTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static RunboxConfig config;
    private static LanguageRegistry languages;

    @BeforeAll
    static void load() throws Exception {
        config = RunboxConfig.from(Map.of(), Map.of());
        languages = LanguageRegistry.load(Optional.empty());
    }

    private static JsonNode json(String s) throws Exception {
        return JSON.readTree(s.replace('\'', '"'));
    }

    private static PistonRequest parse(String body) throws Exception {
        return PistonRequest.parse(json(body), config, languages);
    }

    private static void refused(String body, String message) {
        assertThatThrownBy(() -> parse(body)).isInstanceOf(Problem.class)
                .satisfies(p -> assertThat(((Problem) p).status()).isEqualTo(400)).hasMessage(message);
    }

    @Test
    void the_first_utf8_file_is_the_source_and_the_others_are_files_beside_it() throws Exception {
        String hello = Base64.getEncoder().encodeToString("hi".getBytes());
        PistonRequest r = parse("{'language': 'py', 'version': '3', 'files': [{'name': 'data.bin', 'content': '" + hello + "', 'encoding': 'base64'},"
                + " {'name': 'test.py', 'content': 'import helper'}, {'name': 'helper.py', 'content': 'x = 1'},"
                + " {'content': '6869', 'encoding': 'hex'}], 'stdin': 'a', 'args': ['1']}");
        JsonNode b = r.runboxBody();
        assertThat(r.language().id()).isEqualTo("python");
        assertThat(r.mainFileIndex()).isEqualTo(1);
        assertThat(b.get("language").asText()).isEqualTo("python");
        assertThat(b.get("source_code").asText()).isEqualTo("import helper");
        assertThat(b.get("stdin_data").asText()).isEqualTo("a\n");
        assertThat(b.get("command_line_arguments").toString()).isEqualTo("[\"1\"]");
        assertThat(b.get("files").findValuesAsText("name")).containsExactly("data.bin", "helper.py", "file3.code");
        assertThat(b.get("files").get(0).get("content").asText()).isEqualTo(hello);
        assertThat(b.get("files").get(2).get("content").asText()).isEqualTo(hello); // hex 6869 is "hi" too
        assertThat(b.get("files").get(2).get("encoding").asText()).isEqualTo("base64");
        assertThat(r.pistonFileIndexes()).containsExactly(0, 2, 3);
        assertThat(b.has("time_limit_sec")).isFalse();
        assertThat(b.has("memory_limit_mb")).isFalse();
    }

    @Test
    void base64_is_read_as_node_reads_it() throws Exception {
        // padding optional, whitespace ignored, the URL-safe alphabet too; re-encoded in the standard one
        Map<String, String> canonical = Map.of("aGk=", "aGk=", "aGk", "aGk=", "aG k=", "aGk=", "-_8", "+/8=", "_-8=", "/+8=");
        for (Map.Entry<String, String> e : canonical.entrySet()) {
            PistonRequest r = parse("{'language': 'python', 'version': '*', 'files': [{'content': 'print(1)'},"
                    + " {'name': 'd', 'content': '" + e.getKey() + "', 'encoding': 'base64'}]}");
            assertThat(r.runboxBody().get("files").get(0).get("content").asText()).as(e.getKey()).isEqualTo(e.getValue());
        }
        refused("{'language': 'python', 'version': '*', 'files': [{'content': 'x'}, {'content': 'a', 'encoding': 'base64'}]}",
                "files[1].content is not base64: its length is not possible");
        refused("{'language': 'python', 'version': '*', 'files': [{'content': 'x'}, {'content': 'abc', 'encoding': 'hex'}]}",
                "files[1].content is not hex (an even number of the digits 0-9 a-f): string length not even: 3");
    }

    @Test
    void limits_become_runbox_limits_within_both_of_the_clients_bounds() throws Exception {
        String files = "'files': [{'content': 'print(1)'}]";
        JsonNode both = parse("{'language': 'python', 'version': '*', " + files + ", 'run_timeout': 3000, 'run_cpu_time': 1000,"
                + " 'run_memory_limit': 100000000}").runboxBody();
        assertThat(both.get("time_limit_sec").asDouble()).isEqualTo(1.0);
        assertThat(both.get("memory_limit_mb").asLong()).isEqualTo(96); // 100 MB rounded up to MiB
        JsonNode wallOnly = parse("{'language': 'python', 'version': '*', " + files + ", 'run_timeout': 3000}").runboxBody();
        assertThat(wallOnly.get("time_limit_sec").asDouble()).isEqualTo(1.5);
        JsonNode max = parse("{'language': 'python', 'version': '*', " + files + ", 'run_memory_limit': -1,"
                + " 'compile_memory_limit': -1, 'run_cpu_time': 0}").runboxBody();
        assertThat(max.get("memory_limit_mb").asLong()).isEqualTo(languages.bounds("python").maxMemoryLimitMb());
        assertThat(max.has("time_limit_sec")).isFalse();
        refused("{'language': 'python', 'version': '*', " + files + ", 'run_timeout': 'long'}", "If specified, run_timeout must be a number");
        refused("{'language': 'python', 'version': '*', " + files + ", 'run_cpu_time': 999999}",
                "run_cpu_time cannot exceed the configured limit of 20000");
        refused("{'language': 'python', 'version': '*', " + files + ", 'run_timeout': -5}", "run_timeout must be non-negative");
        refused("{'language': 'python', 'version': '*', " + files + ", 'run_memory_limit': 1000}",
                "run_memory_limit must be at least 16777216 (16 MiB, the least python runs in here)");
        refused("{'language': 'c', 'version': '*', " + files + ", 'compile_timeout': 100000}",
                "compile_timeout cannot exceed the configured limit of 20000");
    }

    @Test
    void refusals_are_pistons_messages_in_pistons_order() {
        refused("[]", "the body must be a JSON object");
        refused("{}", "language is required as a string");
        refused("{'language': 'python'}", "version is required as a string");
        refused("{'language': 'python', 'version': '3'}", "files is required as an array");
        refused("{'language': 'python', 'version': '3', 'files': [{'name': 'a'}]}", "files[0].content is required as a string");
        refused("{'language': 'cobol', 'version': '3', 'files': [{'content': 'x'}]}", "cobol-3 runtime is unknown");
        refused("{'language': 'python', 'version': '2.7', 'files': [{'content': 'x'}]}", "python-2.7 runtime is unknown");
        refused("{'language': 'python', 'version': '*', 'files': [{'content': 'eA==', 'encoding': 'base64'}]}",
                "files must include at least one utf8 encoded file");
        refused("{'language': 'python', 'version': '*', 'files': [{'content': 'x', 'encoding': 'latin1'}]}",
                "files[0].encoding must be utf8, base64 or hex");
        refused("{'language': 'python', 'version': '*', 'files': [{'content': 'x'}], 'args': [1]}", "args must be an array of strings");
        refused("{'language': 'python', 'version': '*', 'files': [{'content': 'x'}], 'stdin': 5}", "stdin must be a string");
        refused("{'language': 'python', 'version': '*', 'files': [{'content': 'x'}, {'name': 'main.py', 'content': 'y'}]}",
                "files[1].name: main.py is where the main file (files[0]) is written for python; give this file another name");
    }

    @Test
    void runbox_refusals_name_the_piston_fields_and_files() throws Exception {
        PistonRequest r = parse("{'language': 'python', 'version': '*', 'files': [{'name': 'a.bin', 'content': 'AA==', 'encoding': 'base64'},"
                + " {'content': ''}, {'name': '../x', 'content': 'y'}]}");
        Problem p = Problem.invalidFields(List.of(new Problem.FieldError("source_code", "must not be empty"),
                new Problem.FieldError("files", "files[1] (\"../x\"): name must be a plain file name")));
        assertThat(r.pistonMessage(p)).isEqualTo("files[1].content: must not be empty; files: files[2] (\"../x\"): name must be a plain file name");
    }
}
