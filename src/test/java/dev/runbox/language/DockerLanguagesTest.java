package dev.runbox.language;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runbox.sandbox.SandboxFailure;
import dev.runbox.testing.DockerEngine;
import dev.runbox.testing.TestImage;
import dev.runbox.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * With {@code sandbox=docker} and a {@code docker-image}, the built-in languages are offered only
 * where their version command answers in the image: the test image has python3, gcc and Debian's
 * essential bash and perl, and none of g++, rustc, go, node or a JDK (the host may have them all).
 */
class DockerLanguagesTest {

    private static TestServer server;
    private static String image;

    @BeforeAll
    static void start() throws Exception {
        DockerEngine engine = DockerEngine.shared();
        image = TestImage.ensure(engine);
        server = TestServer.start(Map.of("sandbox", "docker", "docker-host", engine.host(), "docker-image", image, "workers", "1"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) server.close();
    }

    private static Map<String, String> versions() throws Exception {
        Map<String, String> out = new LinkedHashMap<>();
        for (JsonNode l : TestServer.JSON.readTree(server.get("/languages").body())) out.put(l.get("id").asText(), l.get("version").asText());
        return out;
    }

    @Test
    void only_languages_whose_toolchain_the_image_has_are_listed_with_the_images_versions() throws Exception {
        Map<String, String> versions = versions();

        assertThat(versions).as("GET /languages").containsOnlyKeys("python", "c", "bash", "perl");
        assertThat(versions.get("python")).startsWith("Python 3.11.");
        assertThat(versions.get("c")).startsWith("gcc (Debian 12.");
        assertThat(versions.get("bash")).startsWith("GNU bash, version 5.2");
        assertThat(versions.get("perl")).startsWith("perl v5.36");
    }

    @Test
    void a_request_for_a_language_the_image_lacks_is_refused_as_unknown() throws Exception {
        for (String language : new String[] {"rust", "go", "javascript", "java", "cpp"}) {
            ObjectNode body = TestServer.body("x");
            body.put("language", language);
            HttpResponse<String> r = server.postJson(body.toString());

            assertThat(r.statusCode()).as("%s: %s", language, r.body()).isEqualTo(400);
            assertThat(TestServer.JSON.readTree(r.body()).get("errors")).as(language)
                    .extracting(e -> e.get("field").asText()).contains("language");
        }
    }

    @Test
    void a_language_of_the_image_still_runs() throws Exception {
        JsonNode r = server.run(TestServer.body("print(6 * 7)"));

        assertThat(r.get("status").asText()).as("result %s", r).isEqualTo("OK");
        assertThat(r.get("stdout").asText()).isEqualTo("42\n");
    }

    @Test
    void a_start_where_no_language_answers_in_its_image_fails_saying_so() throws Exception {
        Path languages = Files.createTempFile("runbox-languages-", ".json");
        try {
            Files.writeString(languages, """
                    {"languages": [
                      {"id": "rust", "name": "Rust", "source_file": "main.rs", "compile": ["/usr/bin/rustc", "-o", "main", "main.rs"],
                       "run": ["/box/main"], "version": ["/usr/bin/rustc", "--version"]}
                    ]}""");
            Map<String, String> settings = Map.of("sandbox", "docker", "docker-host", DockerEngine.shared().host(),
                    "docker-image", image, "workers", "1", "languages-file", languages.toString());

            assertThatThrownBy(() -> TestServer.start(settings).close())
                    .isInstanceOf(SandboxFailure.class)
                    .hasMessageContaining("no language is left to offer")
                    .hasMessageContaining(image);
        } finally {
            Files.delete(languages);
        }
    }
}
