package dev.runbox.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One benchmark program as each side runs it: bare on the host (from {@code workDir}), in the
 * sandbox (files dropped into /box), and over HTTP (a language id and the source sent).
 *
 * @param label          short name in the table ("C hello")
 * @param hostCommand    argv on the host, from {@code workDir}
 * @param sandboxCommand argv in the sandbox, from /box
 * @param files          files placed in /box for the sandbox run
 * @param workDir        host directory holding the same files, for the bare run
 * @param environment    the program's whole environment (the same the sandbox gives it)
 * @param httpLanguage   the {@code language} of POST /execute
 * @param httpSource     the {@code source_code} of POST /execute
 * @param expectedStdout what a run must print to count
 */
record Program(String label, List<String> hostCommand, List<String> sandboxCommand, Map<String, byte[]> files,
               Path workDir, Map<String, String> environment, String httpLanguage, String httpSource, String expectedStdout) {

    static final String EXPECTED = "hello\n";
    static final String PYTHON_SOURCE = "print(\"hello\")\n";
    /** The bench-only language that runs the prebuilt C hello (see bench/run: languages file). */
    static final String C_HELLO_LANGUAGE = "bench-c-hello";

    /** What the sandbox's Executor gives every program (PATH, HOME, LANG, TMPDIR), plus the language's own. */
    private static Map<String, String> env(Path home, Map<String, String> extra) {
        Map<String, String> e = new LinkedHashMap<>();
        e.put("PATH", "/usr/local/bin:/usr/bin:/bin");
        e.put("HOME", home.toString());
        e.put("LANG", "C.UTF-8");
        e.put("TMPDIR", "/tmp");
        e.putAll(extra);
        return e;
    }

    /** The prebuilt C hello at {@code binary} (under /usr, so the sandbox sees it with no extra mount). */
    static Program cHello(Path binary, Path workDir, String cSource) {
        return new Program("C hello", List.of(binary.toString()), List.of(binary.toString()), Map.of(), workDir,
                env(workDir, Map.of()), C_HELLO_LANGUAGE, cSource, EXPECTED);
    }

    /** bash running its builtin {@code true}: the smallest interpreted program (sandbox alone only). */
    static Program bashTrue(Path workDir) {
        return new Program("bash true", List.of("/usr/bin/bash", "-c", "true"), List.of("/usr/bin/bash", "-c", "true"), Map.of(),
                workDir, env(workDir, Map.of()), "bash", "true", "");
    }

    /** {@code print("hello")} run by the system interpreter, as the built-in python language does. */
    static Program pythonHello(Path workDir) {
        return new Program("python hello", List.of("/usr/bin/python3", "main.py"), List.of("/usr/bin/python3", "main.py"),
                Map.of("main.py", PYTHON_SOURCE.getBytes(StandardCharsets.UTF_8)), workDir,
                env(workDir, Map.of("PYTHONIOENCODING", "utf-8")), "python", PYTHON_SOURCE, EXPECTED);
    }

    /**
     * The C hello for a container, which sees none of the host's /usr: the binary is a file of the
     * work dir (not executable there, as every job file), run through the dynamic loader, which the
     * image has (built against the host's libc: the image must be of the same Debian release).
     */
    Program inContainer() throws java.io.IOException {
        if (files.isEmpty()) {
            byte[] binary = java.nio.file.Files.readAllBytes(Path.of(sandboxCommand.get(0)));
            return new Program(label, hostCommand, List.of("/lib64/ld-linux-x86-64.so.2", "/box/hello"), Map.of("hello", binary),
                    workDir, environment, httpLanguage, httpSource, expectedStdout);
        }
        return this;
    }

    /** The environment as the sandbox gets it: HOME is the work dir inside. */
    Map<String, String> sandboxEnvironment() {
        Map<String, String> e = new LinkedHashMap<>(environment);
        e.put("HOME", "/box");
        return e;
    }
}
