package dev.runbox.language;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runbox.config.RunboxConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LanguageFileTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static List<Language> parse(String json) throws Exception {
        return LanguageFile.parse(JSON.readTree(json.replace('\'', '"')), "test.json");
    }

    private static String file(String languageFields) {
        return "{'languages': [{'id': 'x', 'name': 'X', 'source_file': 'main.x', 'run': ['/usr/bin/x', 'main.x'],"
                + " 'version': ['/usr/bin/x', '--version']" + languageFields + "}]}";
    }

    private static void refused(String json, String message) {
        assertThatThrownBy(() -> parse(json)).isInstanceOf(LanguageFileException.class).hasMessageContaining(message);
    }

    @Test
    void the_built_in_file_parses_and_defines_the_promised_languages() throws Exception {
        List<Language> all = LanguageFile.builtIn();
        assertThat(all).extracting(Language::id).contains("python", "c", "cpp", "java", "javascript", "bash");
        Language java = all.stream().filter(l -> l.id().equals("java")).findFirst().orElseThrow();
        assertThat(java.compiled()).isTrue();
        assertThat(java.takesCompilerOptions()).isTrue();
        assertThat(java.takesCommandLineArguments()).isTrue();
        assertThat(java.runCommand(List.of("a b"), 256)).contains("-Xmx192m", "a b").doesNotContain("{heap_mb}");
    }

    @Test
    void a_minimal_language_gets_the_server_limits_and_default_compile_limits() throws Exception {
        Language l = parse(file("")).get(0);
        assertThat(l.compiled()).isFalse();
        assertThat(l.limits()).isEqualTo(LanguageLimits.SERVER);
        assertThat(l.compileLimits()).isEqualTo(CompileLimits.DEFAULTS);
        assertThat(l.mounts()).isEmpty();
        assertThat(l.env()).isEmpty();
    }

    @Test
    void an_image_names_where_the_toolchain_is_and_takes_no_host_mounts() throws Exception {
        assertThat(parse(file("")).get(0).image()).isEmpty();
        assertThat(parse(file(", 'image': 'registry.example.com:5000/judge/python-sci:2026.11'")).get(0).image())
                .contains("registry.example.com:5000/judge/python-sci:2026.11");
        assertThat(parse(file(", 'image': 'python@sha256:0123abcd'")).get(0).image()).contains("python@sha256:0123abcd");
        refused(file(", 'image': 'Python:3'"), "is not an image reference");
        refused(file(", 'image': '--privileged'"), "is not an image reference");
        refused(file(", 'image': 'python 3'"), "is not an image reference");
        refused(file(", 'image': 'python:3.12', 'mounts': ['/opt/x']"), "runs without host mounts");
    }

    @Test
    void compile_limits_come_from_the_language_then_the_file_then_the_defaults() throws Exception {
        String json = "{'compile_limits': {'time_limit_sec': 7, 'output_cap_bytes': 1000}, 'languages': [{'id': 'x',"
                + " 'name': 'X', 'source_file': 'main.x', 'compile': ['/usr/bin/xc', 'main.x'], 'run': ['/box/a.out'],"
                + " 'version': ['/usr/bin/xc', '-v'], 'compile_limits': {'memory_limit_mb': 300}}]}";
        CompileLimits c = parse(json).get(0).compileLimits();
        assertThat(c).isEqualTo(new CompileLimits(7, 300, 1000, CompileLimits.DEFAULT_CPU_CORES));
    }

    @Test
    void unknown_fields_are_refused_so_a_typo_is_never_silently_dropped() {
        refused(file(", 'complie': ['/usr/bin/cc']"), "unknown field 'complie'");
        refused("{'languages': [], 'extra': 1}", "unknown field 'extra'");
        refused(file(", 'limits': {'max_time_sec': 3}"), "unknown field 'max_time_sec'");
    }

    @Test
    void aliases_are_names_of_one_language_only() throws Exception {
        assertThat(parse(file("")).get(0).aliases()).isEmpty();
        assertThat(parse(file(", 'aliases': ['x++', 'x3.12', 'x#']")).get(0).aliases()).containsExactly("x++", "x3.12", "x#");
        refused(file(", 'aliases': ['X Y']"), "alias 'X Y' must match");
        refused(file(", 'aliases': 'x2'"), "aliases");
        String two = "{'languages': [{'id': 'x', 'name': 'X', 'source_file': 'main.x', 'run': ['/usr/bin/x', 'main.x'],"
                + " 'version': ['/usr/bin/x', '--version'], 'aliases': ['%s']},"
                + " {'id': 'y', 'name': 'Y', 'source_file': 'main.y', 'run': ['/usr/bin/y', 'main.y'],"
                + " 'version': ['/usr/bin/y', '--version'], 'aliases': ['%s']}]}";
        refused(String.format(two, "y", "z"), "alias 'y' of language 'x' already names language 'y'");
        refused(String.format(two, "same", "same"), "alias 'same' of language 'y' already names language 'x'");
        Language python = LanguageFile.builtIn().stream().filter(l -> l.id().equals("python")).findFirst().orElseThrow();
        assertThat(python.aliases()).contains("py", "python3");
    }

    @Test
    void ids_file_names_and_duplicates_are_checked() {
        refused(file("").replace("'id': 'x'", "'id': 'X Y'"), "id 'X Y' must match");
        refused(file("").replace("'main.x'", "'../main.x'"), "source_file '../main.x'");
        refused("{'languages': [" + file("").substring(15, file("").length() - 2) + ", "
                + file("").substring(15, file("").length() - 2) + "]}", "appears twice");
    }

    @Test
    void commands_are_argv_lists_with_an_absolute_program() {
        refused(file("").replace("'run': ['/usr/bin/x', 'main.x']", "'run': 'x main.x'"), "'run' must be an array of strings");
        refused(file("").replace("'run': ['/usr/bin/x', 'main.x']", "'run': []"), "run must not be empty");
        refused(file("").replace("'run': ['/usr/bin/x'", "'run': ['x'"), "must be an absolute path");
        refused(file("").replace("'run': ['/usr/bin/x', 'main.x']", "'run': ['/usr/bin/x', 1]"), "only strings");
    }

    @Test
    void placeholders_are_known_whole_and_in_their_place() {
        refused(file("").replace("'main.x']", "'main.x', '{args}']"), "unknown placeholder {args}");
        refused(file("").replace("'main.x']", "'main.x', '--{command_line_arguments}']"), "must be a whole element");
        refused(file("").replace("'main.x']", "'main.x', '{compiler_options}']"), "unknown placeholder {compiler_options}");
        refused(file("").replace("'main.x']", "'main.x', '{command_line_arguments}', '{command_line_arguments}']"), "may appear once");
        refused(file("").replace("'--version'", "'{heap_mb}'"), "version takes no placeholders");
    }

    @Test
    void mounts_must_not_show_the_host_or_hide_what_the_sandbox_makes() {
        refused(file(", 'mounts': ['/']"), "whole host");
        refused(file(", 'mounts': ['etc/x']"), "absolute");
        refused(file(", 'mounts': ['/etc/../root']"), "normalized");
        refused(file(", 'mounts': ['/tmp/x']"), "under /tmp");
        refused(file(", 'mounts': ['/box']"), "under /box");
        refused(file(", 'mounts': ['/proc/1']"), "under /proc");
        refused(file(", 'mounts': ['/opt/*/x']"), "last part only");
        // host secrets, whatever the file says
        refused(file(", 'mounts': ['/etc']"), "no sandbox may see");
        refused(file(", 'mounts': ['/etc/shadow']"), "no sandbox may see");
        refused(file(", 'mounts': ['/root/.ssh']"), "no sandbox may see");
        refused(file(", 'mounts': ['/home']"), "no sandbox may see");
        refused(file(", 'mounts': ['/var/lib']"), "no sandbox may see");
        refused(file(", 'mounts': ['/run/runbox']"), "no sandbox may see");
    }

    @Test
    void limits_that_contradict_themselves_are_refused() {
        refused(file(", 'limits': {'default_time_limit_sec': 5, 'max_time_limit_sec': 2}"), "above max_time_limit_sec");
        refused(file(", 'limits': {'min_memory_limit_mb': 512, 'max_memory_limit_mb': 256}"), "above max_memory_limit_mb");
        refused(file(", 'limits': {'default_memory_limit_mb': 32, 'min_memory_limit_mb': 64}"), "outside");
        refused(file(", 'limits': {'max_time_limit_sec': -1}"), "must be a number > 0");
        refused(file(", 'limits': {'min_memory_limit_mb': 1.5}"), "whole number");
        refused(file(", 'compile_limits': {'time_limit_sec': 5}"), "there is no compile step");
    }

    @Test
    void env_holds_strings_with_plain_names() {
        refused(file(", 'env': {'A B': 'x'}"), "bad env name");
        refused(file(", 'env': {'A': 1}"), "must be a string");
    }

    @Test
    void language_limits_only_narrow_the_servers() {
        RunboxConfig config = RunboxConfig.from(Map.of(), Map.of("max-memory-limit-mb", "1024", "max-time-limit-sec", "10"));
        LanguageLimits.Bounds b = new LanguageLimits(30.0, 60.0, 4096, 64, 8192).resolve(config);
        assertThat(b.maxTimeLimitSec()).isEqualTo(10);
        assertThat(b.defaultTimeLimitSec()).isEqualTo(10);
        assertThat(b.maxMemoryLimitMb()).isEqualTo(1024);
        assertThat(b.defaultMemoryLimitMb()).isEqualTo(1024);
        assertThat(b.minMemoryLimitMb()).isEqualTo(64);
        assertThat(new LanguageLimits(null, null, null, 2048, null).resolve(config).possible()).isFalse();
        assertThat(LanguageLimits.SERVER.resolve(config).defaultMemoryLimitMb()).isEqualTo(config.defaultMemoryLimitMb());
    }

    @Test
    void an_operator_file_replaces_the_built_in_one() throws Exception {
        Path f = java.nio.file.Files.createTempFile("languages", ".json");
        try {
            java.nio.file.Files.writeString(f, "{\"languages\": [{\"id\": \"sh\", \"name\": \"POSIX sh\", \"source_file\": \"main.sh\","
                    + " \"run\": [\"/usr/bin/bash\", \"--posix\", \"main.sh\"], \"version\": [\"/usr/bin/bash\", \"--version\"]}]}");
            LanguageRegistry r = LanguageRegistry.load(RunboxConfig.from(Map.of(), Map.of("languages-file", f.toString())));
            assertThat(r.ids()).containsExactly("sh");
            java.nio.file.Files.writeString(f, "{\"languages\": [");
            assertThatThrownBy(() -> LanguageFile.read(f)).isInstanceOf(LanguageFileException.class).hasMessageContaining("not valid JSON");
        } finally {
            java.nio.file.Files.delete(f);
        }
    }

    @Test
    void a_language_whose_toolchain_is_missing_is_not_offered() throws Exception {
        List<Language> defs = parse("{'languages': [{'id': 'nope', 'name': 'Nope', 'source_file': 'a', 'run': ['/usr/bin/no-such-runtime', 'a'],"
                + " 'version': ['/usr/bin/no-such-runtime', '-v']}, {'id': 'mnt', 'name': 'M', 'source_file': 'a',"
                + " 'run': ['/usr/bin/bash', 'a'], 'version': ['/usr/bin/bash', '--version'], 'mounts': ['/opt/no-such-*']}]}");
        LanguageRegistry r = LanguageRegistry.fromDefinitions(defs, RunboxConfig.from(Map.of(), Map.of()));
        assertThat(r.ids()).isEmpty();
    }

    @Test
    void with_sandbox_docker_a_language_runs_in_its_image_or_docker_image_and_without_either_is_not_offered() throws Exception {
        // nothing of these toolchains is on this host: in Docker the toolchain is the image's
        List<Language> defs = parse("{'languages': [{'id': 'own', 'name': 'O', 'source_file': 'a', 'image': 'own:1',"
                + " 'run': ['/opt/own/bin/run', 'a'], 'version': ['/opt/own/bin/run', '-v']}, {'id': 'plain', 'name': 'P',"
                + " 'source_file': 'a', 'run': ['/opt/plain/run', 'a'], 'version': ['/opt/plain/run', '-v']}]}");
        LanguageRegistry none = LanguageRegistry.fromDefinitions(defs, RunboxConfig.from(Map.of(), Map.of("sandbox", "docker")));
        assertThat(none.ids()).containsExactly("own");
        LanguageRegistry fallback = LanguageRegistry.fromDefinitions(defs,
                RunboxConfig.from(Map.of(), Map.of("sandbox", "docker", "docker-image", "base:2")));
        assertThat(fallback.find("own").orElseThrow().image()).contains("own:1");
        assertThat(fallback.find("plain").orElseThrow().image()).contains("base:2");
        // with the default sandbox, only the language that names an image goes to Docker
        LanguageRegistry host = LanguageRegistry.fromDefinitions(defs, RunboxConfig.from(Map.of(), Map.of()));
        assertThat(host.ids()).containsExactly("own");
    }

    @Test
    void a_program_reached_through_links_outside_usr_is_run_by_its_real_path() throws Exception {
        Path javac = Path.of("/usr/bin/javac");
        if (!java.nio.file.Files.isSymbolicLink(javac)) return; // not Debian's alternatives layout
        Path p = Toolchain.sandboxPath(javac, List.of(Path.of("/usr")));
        assertThat(p).isEqualTo(javac.toRealPath());
        assertThat(p.toString()).startsWith("/usr/lib/jvm/");
        // a link that stays in /usr is kept as it is (python3 → python3.x)
        assertThat(Toolchain.sandboxPath(Path.of("/usr/bin/python3"), List.of(Path.of("/usr")))).isEqualTo(Path.of("/usr/bin/python3"));
    }

    @Test
    void argv_placeholders_expand_to_whole_elements_and_values() {
        List<String> argv = List.of("/usr/bin/x", "-Xmx{heap_mb}m", "--limit={memory_limit_mb}", "{compiler_options}", "main.x");
        assertThat(ArgvTemplate.expand(argv, Map.of("compiler_options", List.of("-O0", "; rm -rf /", "")), 256))
                .containsExactly("/usr/bin/x", "-Xmx192m", "--limit=256", "-O0", "; rm -rf /", "", "main.x");
        assertThat(ArgvTemplate.expand(argv, Map.of("compiler_options", List.of()), 100))
                .containsExactly("/usr/bin/x", "-Xmx75m", "--limit=100", "main.x");
        // a request's text is never expanded again
        assertThat(ArgvTemplate.expand(List.of("/x", "{command_line_arguments}"), Map.of("command_line_arguments", List.of("{heap_mb}")), 64))
                .containsExactly("/x", "{heap_mb}");
    }

    @Test
    void judge0_id_is_optional_a_whole_number_from_1_and_unique() throws Exception {
        assertThat(parse(file("")).get(0).judge0Id()).isEmpty();
        assertThat(parse(file(", 'judge0_id': 71")).get(0).judge0Id()).hasValue(71);
        refused(file(", 'judge0_id': 0"), "'judge0_id' must be a whole number >= 1");
        refused(file(", 'judge0_id': '71'"), "'judge0_id' must be a whole number >= 1");
        refused(file(", 'judge0_id': 7.5"), "'judge0_id' must be a whole number >= 1");
        String two = "{'languages': [{'id': 'x', 'judge0_id': 5, 'name': 'X', 'source_file': 'main.x', 'run': ['/usr/bin/x'],"
                + " 'version': ['/usr/bin/x']}, {'id': 'y', 'judge0_id': 5, 'name': 'Y', 'source_file': 'main.y', 'run': ['/usr/bin/y'],"
                + " 'version': ['/usr/bin/y']}]}";
        refused(two, "judge0_id 5 of language 'y' appears twice");
    }

    @Test
    void the_built_in_languages_have_judge0_ces_ids() throws Exception {
        Map<String, Integer> ids = new java.util.HashMap<>();
        LanguageFile.builtIn().forEach(l -> l.judge0Id().ifPresent(j -> ids.put(l.id(), j)));
        assertThat(ids).containsEntry("python", 71).containsEntry("c", 50).containsEntry("cpp", 54).containsEntry("java", 62)
                .containsEntry("javascript", 63).containsEntry("bash", 46);
    }
}
