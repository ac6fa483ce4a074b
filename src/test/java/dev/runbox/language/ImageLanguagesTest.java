package dev.runbox.language;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runbox.sandbox.Leftovers;
import dev.runbox.testing.DockerEngine;
import dev.runbox.testing.TestImage;
import dev.runbox.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An operator adds a language by naming an image in the languages file: on a server with the
 * default sandbox, that language runs in Docker containers of the image (its toolchain is the
 * image's, compile step included), while the others stay in bubblewrap on the host's /usr. It is
 * offered only if its version command answers in a container of the image.
 */
class ImageLanguagesTest {

    private static TestServer server;
    private static Path languagesFile;

    @BeforeAll
    static void start() throws Exception {
        DockerEngine engine = DockerEngine.shared();
        String image = TestImage.ensure(engine);
        languagesFile = Files.createTempFile("runbox-languages-", ".json");
        Files.writeString(languagesFile, """
                {"languages": [
                  {"id": "python", "name": "Python 3 (host)", "source_file": "main.py",
                   "run": ["/usr/bin/python3", "main.py"], "version": ["/usr/bin/python3", "--version"]},
                  {"id": "c-image", "name": "C (GCC in an image)", "source_file": "main.c", "image": "%s",
                   "compile": ["/usr/bin/gcc", "-O2", "-o", "main", "main.c"],
                   "run": ["/box/main", "{command_line_arguments}"], "version": ["/usr/bin/gcc", "--version"]},
                  {"id": "python-image", "name": "Python 3 (image)", "source_file": "main.py", "image": "%s",
                   "run": ["/usr/bin/python3", "main.py"], "version": ["/usr/bin/python3", "--version"]},
                  {"id": "where-image", "name": "Python 3 (image, version says where it ran)", "source_file": "main.py",
                   "image": "%s", "run": ["/usr/bin/python3", "main.py"],
                   "version": ["/usr/bin/python3", "-c", "import os; print('pid1', open('/proc/1/cmdline').read().split(chr(0))[0], 'uid', os.getuid(), 'var', os.listdir('/var'))"]},
                  {"id": "rust-image", "name": "Rust (not in the image)", "source_file": "main.rs", "image": "%s",
                   "compile": ["/usr/bin/rustc", "-o", "main", "main.rs"], "run": ["/box/main"],
                   "version": ["/usr/bin/rustc", "--version"]}
                ]}""".formatted(image, image, image, image));
        server = TestServer.start(Map.of("workers", "2", "languages-file", languagesFile.toString(),
                "docker-host", engine.host()));
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) server.close();
        if (languagesFile != null) Files.deleteIfExists(languagesFile);
    }

    @AfterEach
    void nothing_of_the_run_is_left_on_the_host() throws Exception {
        Leftovers.assertNoneOf(server);
    }

    private static JsonNode run(String language, String source, Object... fields) throws Exception {
        ObjectNode body = TestServer.body(source, fields);
        body.put("language", language);
        return server.run(body);
    }

    /** What runs as pid 1 of the run (runbox-init's reaper in both), and whether it is a Docker container (its /.dockerenv). */
    private static final String PID_ONE = "import os\nprint(open('/proc/1/cmdline', 'rb').read().split(b'\\0')[0].decode(),"
            + " 'docker' if os.path.exists('/.dockerenv') else 'host')";

    @Test
    void a_language_with_an_image_runs_in_a_container_and_one_without_in_bubblewrap() throws Exception {
        JsonNode inImage = run("python-image", PID_ONE);
        JsonNode onHost = run("python", PID_ONE);

        assertThat(inImage.get("status").asText()).as("result %s", inImage).isEqualTo("OK");
        assertThat(inImage.get("stdout").asText()).isEqualTo("/.runbox/init docker\n");
        assertThat(onHost.get("status").asText()).as("result %s", onHost).isEqualTo("OK");
        assertThat(onHost.get("stdout").asText()).isEqualTo("/.runbox/init host\n");
    }

    private static Map<String, String> versions() throws Exception {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        for (JsonNode l : TestServer.JSON.readTree(server.get("/languages").body())) out.put(l.get("id").asText(), l.get("version").asText());
        return out;
    }

    @Test
    void languages_list_the_version_their_image_answered() throws Exception {
        Map<String, String> versions = versions();

        assertThat(versions.get("c-image")).as("GET /languages: %s", versions).startsWith("gcc (Debian 12.");
        assertThat(versions.get("python-image")).as("GET /languages: %s", versions).startsWith("Python 3.");
    }

    @Test
    void the_version_command_answers_from_a_container_with_the_restrictions_of_a_run() throws Exception {
        String where = versions().get("where-image");

        // runbox-init's reaper is pid 1 (a reused container), the uid is one of the sandbox's, and the image's /var is masked as in runs
        assertThat(where).matches("pid1 /.runbox/init uid (\\d+) var \\[\\]");
        int uid = Integer.parseInt(where.split(" ")[3]);
        assertThat(uid).isBetween(server.uidBase, server.uidBase + dev.runbox.sandbox.Leftovers.uidCount(server) - 1);
    }

    @Test
    void a_language_whose_toolchain_the_image_lacks_is_not_offered_and_its_requests_are_refused() throws Exception {
        assertThat(versions()).as("GET /languages").doesNotContainKey("rust-image").containsKeys("c-image", "python");

        ObjectNode body = TestServer.body("fn main() {}");
        body.put("language", "rust-image");
        HttpResponse<String> r = server.postJson(body.toString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(TestServer.JSON.readTree(r.body()).get("errors")).extracting(e -> e.get("field").asText()).contains("language");
    }

    @Test
    void a_compiled_language_of_an_image_builds_and_runs_with_its_arguments() throws Exception {
        JsonNode r = run("c-image", """
                #include <stdio.h>
                int main(int argc, char **argv) { int c = 0; while (getchar() != EOF) c++; printf("%d %s\\n", c, argv[1]); return 0; }
                """, "stdin_data", "four", "command_line_arguments", List.of("arg one"));

        assertThat(r.get("status").asText()).as("result %s", r).isEqualTo("OK");
        assertThat(r.get("stdout").asText()).isEqualTo("4 arg one\n");
        assertThat(r.get("compile_output").asText()).isEmpty();
    }

    @Test
    void a_compile_error_in_an_image_is_CE_with_the_compilers_words() throws Exception {
        JsonNode r = run("c-image", "int main(void) { return undeclared; }\n");

        assertThat(r.get("status").asText()).as("result %s", r).isEqualTo("CE");
        assertThat(r.get("compile_output").asText()).contains("undeclared");
    }

    @Test
    void what_the_compile_built_runs_in_a_fresh_container_that_sees_no_host_path() throws Exception {
        JsonNode r = run("c-image", """
                #include <stdio.h>
                #include <unistd.h>
                int main(void) {
                    printf("%s %s\\n", access("/etc/shadow", R_OK) == 0 ? "shadow-readable" : "shadow-closed",
                           access("/run/runbox", F_OK) == 0 ? "state-dir-seen" : "state-dir-unseen");
                    return 0;
                }
                """);

        assertThat(r.get("status").asText()).as("result %s", r).isEqualTo("OK");
        assertThat(r.get("stdout").asText()).isEqualTo("shadow-closed state-dir-unseen\n");
    }
}
