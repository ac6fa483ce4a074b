package dev.runbox.language;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runbox.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Malicious compiles are stopped by the compile step's own limits: CE, within those limits, and the
 * host is left as it was (no mount, no process). The server runs an operator languages file with
 * small compile limits, so the limits are reached fast.
 */
class CompileContainmentTest {

    private static final double COMPILE_SEC = 3;
    private static final int COMPILE_MB = 256;
    private static final int COMPILE_OUTPUT_CAP = 8192;
    private static TestServer server;
    private static Path languagesFile;

    @BeforeAll
    static void start() throws Exception {
        languagesFile = Files.createTempFile("languages", ".json");
        String limits = "\"compile_limits\": {\"time_limit_sec\": " + COMPILE_SEC + ", \"memory_limit_mb\": " + COMPILE_MB
                + ", \"output_cap_bytes\": " + COMPILE_OUTPUT_CAP + "}";
        Files.writeString(languagesFile, "{" + limits + ", \"languages\": ["
                + "{\"id\": \"c\", \"name\": \"C\", \"source_file\": \"main.c\","
                + " \"compile\": [\"/usr/bin/gcc\", \"-O2\", \"-o\", \"main\", \"main.c\", \"{compiler_options}\"],"
                + " \"run\": [\"/box/main\"], \"version\": [\"/usr/bin/gcc\", \"--version\"]},"
                + "{\"id\": \"cpp\", \"name\": \"C++\", \"source_file\": \"main.cpp\","
                + " \"compile\": [\"/usr/bin/g++\", \"-O2\", \"-o\", \"main\", \"main.cpp\"],"
                + " \"run\": [\"/box/main\"], \"version\": [\"/usr/bin/g++\", \"--version\"]}]}");
        server = TestServer.start(Map.of("workers", "2", "languages-file", languagesFile.toString()));
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) server.close();
        Files.deleteIfExists(languagesFile);
    }

    private static JsonNode compile(String language, String source, Object... more) throws Exception {
        ObjectNode body = TestServer.body(source, more);
        body.put("language", language);
        long start = System.nanoTime();
        JsonNode r = server.run(body);
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("%.1f s until final: %s: %s%n", seconds, r.get("status").asText(), r.get("message").asText(""));
        // the compile's wall limit is 2 × its CPU limit; the rest is queueing and teardown on a busy host
        assertThat(seconds).as("seconds until the result was final").isLessThan(2 * COMPILE_SEC + 15);
        return r;
    }

    @Test
    void the_operator_languages_file_replaced_the_built_in_one() throws Exception {
        JsonNode list = TestServer.JSON.readTree(server.get("/languages").body());
        assertThat(list).extracting(l -> l.get("id").asText()).containsExactly("c", "cpp");
        assertThat(list.get(0).get("compile_limits").get("time_limit_sec").asDouble()).isEqualTo(COMPILE_SEC);
    }

    @Test
    void including_dev_random_is_CE_within_the_compile_limits() throws Exception {
        JsonNode r = compile("c", "#include </dev/random>\nint main(void) { return 0; }");
        assertThat(r.get("status").asText()).as(r.toString()).isEqualTo("CE");
        assertThat(r.get("compile_output").asText().getBytes(java.nio.charset.StandardCharsets.UTF_8).length)
                .isLessThanOrEqualTo(COMPILE_OUTPUT_CAP);
        assertHostIsClean();
    }

    @Test
    void a_template_bomb_is_CE_within_the_compile_limits() throws Exception {
        String bomb = "template <class T, int N> struct B { using L = B<B<T, N - 1>, N - 1>; using R = B<L, N - 1>;"
                + " static constexpr long v = L::v + R::v + B<T, N - 1>::v; };\n"
                + "template <class T> struct B<T, 0> { static constexpr long v = 1; };\n"
                + "int main() { return (int) B<int, 24>::v; }";
        JsonNode r = compile("cpp", bomb);
        assertThat(r.get("status").asText()).as(r.toString()).isEqualTo("CE");
        assertThat(r.get("message").asText()).containsAnyOf("time limit", "memory limit", "compilation failed", "output");
        assertHostIsClean();
    }

    @Test
    void a_huge_binary_is_CE_it_cannot_fill_the_host() throws Exception {
        // 512 MiB of initialized data: more than the work dir, /tmp and the file size limit allow
        JsonNode r = compile("c", "char big[512 << 20] = {1};\nint main(int argc, char **argv) { return big[argc * 12345]; }");
        assertThat(r.get("status").asText()).as(r.toString()).isEqualTo("CE");
        assertHostIsClean();
    }

    @Test
    void compiler_options_cannot_escape_the_compile_sandbox() throws Exception {
        // a compiler option can run programs (-wrapper); they run in the compile sandbox, seeing nothing of the host
        JsonNode r = compile("c", "int main(void) { return 0; }", "compiler_options",
                List.of("-wrapper", "/usr/bin/bash,-c,cat /etc/hostname /etc/shadow /root/.bashrc; ls /run; exit 1"));
        assertThat(r.get("status").asText()).as(r.toString()).isEqualTo("CE");
        assertThat(r.get("compile_output").asText()).contains("No such file or directory").doesNotContain("root:");
        assertHostIsClean();
    }

    /** The server still works, and no box mount and no process of a run is left. */
    private static void assertHostIsClean() throws Exception {
        ObjectNode hello = TestServer.body("#include <stdio.h>\nint main(void) { puts(\"still here\"); return 0; }");
        hello.put("language", "c");
        JsonNode r = server.run(hello);
        assertThat(r.get("status").asText()).as(r.toString()).isEqualTo("OK");
        assertThat(r.get("stdout").asText()).isEqualTo("still here\n");
        String mounts = Files.readString(Path.of("/proc/self/mountinfo"));
        assertThat(mounts).doesNotContain(server.stateDir.toString());
        try (var boxes = Files.list(server.stateDir.resolve("boxes"))) {
            assertThat(boxes.toList()).isEmpty();
        }
    }
}
