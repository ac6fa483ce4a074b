package dev.runbox.language;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runbox.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The built-in entries for languages that are offered only where their toolchain is installed: each
 * one this host offers must build (where it compiles), get its stdin and arguments and run. Skipped
 * for a language this host does not offer.
 */
class OptionalLanguagesTest {

    private static TestServer server;
    private static List<String> offered;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(Map.of("workers", "2"));
        offered = new ArrayList<>();
        TestServer.JSON.readTree(server.get("/languages").body()).forEach(l -> offered.add(l.get("id").asText()));
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) server.close();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            perl | my $in = <STDIN>; chomp $in; print "$in @ARGV\\n";
            rust | use std::io::Read; fn main() { let mut s = String::new(); std::io::stdin().read_to_string(&mut s).unwrap(); let a: Vec<String> = std::env::args().skip(1).collect(); println!("{} {}", s.trim(), a.join(" ")); }
            go   | package main; import ("bufio"; "fmt"; "os"; "strings"); func main() { s := bufio.NewScanner(os.Stdin); s.Scan(); fmt.Println(s.Text(), strings.Join(os.Args[1:], " ")) }
            """)
    void an_offered_optional_language_runs_with_stdin_and_arguments(String language, String source) throws Exception {
        assumeTrue(offered.contains(language), language + " is not installed on this host");
        ObjectNode body = TestServer.body(source,
                "stdin_data", "hello\n", "command_line_arguments", List.of("a b", "; rm -rf /"), "time_limit_sec", 5.0);
        body.put("language", language);
        JsonNode r = server.run(body);
        assertThat(r.get("status").asText()).as(r.toString()).isEqualTo("OK");
        assertThat(r.get("stdout").asText()).isEqualTo("hello a b ; rm -rf /\n");
    }
}
