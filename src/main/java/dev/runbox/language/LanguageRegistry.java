package dev.runbox.language;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runbox.sandbox.RunSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The languages this server can run: those of languages.json whose toolchain is installed here,
 * each with the version it reported at start.
 */
public final class LanguageRegistry {

    private static final Logger log = LoggerFactory.getLogger(LanguageRegistry.class);
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /**
     * Host directories no language may mount, nor anything under them: they hold secrets (keys,
     * passwords, other users' files) or the host's live state. Only /usr is shown by default.
     */
    private static final List<Path> FORBIDDEN_MOUNTS = List.of("/etc", "/root", "/home", "/var", "/proc", "/sys",
            "/dev", "/run", "/tmp", "/boot").stream().map(Path::of).toList();
    /** The parts of /etc that toolchains need (Debian's alternatives links, the JDK's config), and nothing else. */
    private static final Path ETC = Path.of("/etc");
    private static final Path ETC_ALTERNATIVES = Path.of("/etc/alternatives");
    private static final String ETC_JAVA_PREFIX = "java-";

    private final Map<String, Language> available;

    LanguageRegistry(Map<String, Language> available) {
        this.available = Map.copyOf(available);
    }

    /** The languages file shipped in the jar, or the operator's file when given. */
    public static LanguageRegistry load(Optional<Path> overrideFile) throws IOException {
        JsonNode root;
        if (overrideFile.isPresent()) {
            root = JSON.readTree(overrideFile.get().toFile());
        } else {
            try (InputStream in = LanguageRegistry.class.getResourceAsStream("/languages.json")) {
                if (in == null) throw new IOException("languages.json is missing from the jar");
                root = JSON.readTree(in);
            }
        }
        Map<String, Language> found = new LinkedHashMap<>();
        for (Language l : parse(root)) {
            Optional<String> version = detectVersion(l);
            if (version.isEmpty()) {
                log.info("language {} is not offered: its toolchain {} is not installed", l.id(), l.run().get(0));
                continue;
            }
            found.put(l.id(), new Language(l.id(), l.name(), l.sourceFile(), l.run(), l.version(), l.mounts(), l.env(),
                    version.get()));
        }
        return new LanguageRegistry(found);
    }

    static List<Language> parse(JsonNode root) throws IOException {
        List<Language> out = new ArrayList<>();
        JsonNode list = root.path("languages");
        if (!list.isArray()) throw new IOException("languages file: 'languages' must be an array");
        for (JsonNode n : list) {
            String id = text(n, "id");
            if (!id.matches("[a-z][a-z0-9+_-]{0,31}")) throw new IOException("languages file: bad id '" + id + "'");
            List<Path> mounts = new ArrayList<>();
            for (JsonNode m : n.path("mounts")) mounts.add(mount(id, m));
            Map<String, String> env = new LinkedHashMap<>();
            for (var it = n.path("env").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isTextual()) {
                    throw new IOException("languages file: env " + e.getKey() + " of " + id + " must be a string, got " + e.getValue());
                }
                env.put(e.getKey(), e.getValue().asText());
            }
            String sourceFile = text(n, "source_file");
            if (!RunSpec.isValidFileName(sourceFile)) {
                throw new IOException("languages file: source_file '" + sourceFile + "' of " + id
                        + " is not a plain file name (letters, digits, '_', '.', '-'; at most 64; no leading '.' or '-')");
            }
            List<String> run = strings(n, "run");
            if (!path(id, "run", run.get(0)).isAbsolute()) {
                throw new IOException("languages file: run of " + id + " must start with an absolute program path, got '" + run.get(0) + "'");
            }
            out.add(new Language(id, text(n, "name"), sourceFile, run, strings(n, "version"), mounts, env, null));
        }
        return out;
    }

    /** A host path shown read-only in the sandbox: absolute, normalized, and none of the host's secrets. */
    private static Path mount(String id, JsonNode m) throws IOException {
        if (!m.isTextual()) throw new IOException("languages file: mount " + m + " of " + id + " must be a string");
        Path p = path(id, "mount", m.asText());
        if (!p.isAbsolute()) throw new IOException("languages file: mount " + p + " of " + id + " is not absolute");
        // "/opt/../etc" would pass the checks below and bind /etc
        if (!p.normalize().equals(p)) {
            throw new IOException("languages file: mount " + p + " of " + id + " is not normalized (write " + p.normalize() + ")");
        }
        if (p.getNameCount() == 0) throw new IOException("languages file: mount / of " + id + " would show the whole host");
        boolean toolchainEtc = p.startsWith(ETC_ALTERNATIVES)
                || (p.startsWith(ETC) && p.getNameCount() >= 2 && p.getName(1).toString().startsWith(ETC_JAVA_PREFIX));
        for (Path forbidden : FORBIDDEN_MOUNTS) {
            if (p.startsWith(forbidden) && !toolchainEtc) {
                throw new IOException("languages file: mount " + p + " of " + id + " is under " + forbidden
                        + ", which no sandbox may see (only /etc/alternatives and /etc/java-* of /etc are allowed)");
            }
        }
        return p;
    }

    private static Path path(String id, String field, String text) throws IOException {
        try {
            return Path.of(text);
        } catch (InvalidPathException e) {
            throw new IOException("languages file: " + field + " of " + id + " is not a path: " + e.getMessage(), e);
        }
    }

    private static String text(JsonNode n, String field) throws IOException {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual()) throw new IOException("languages file: '" + field + "' missing in " + n);
        return v.asText();
    }

    private static List<String> strings(JsonNode n, String field) throws IOException {
        JsonNode v = n.get(field);
        if (v == null || !v.isArray() || v.isEmpty()) throw new IOException("languages file: '" + field + "' must be a non-empty array in " + n);
        List<String> out = new ArrayList<>();
        for (JsonNode s : v) {
            // 5 or null would become "5" or "null": a typo, not an argument anyone meant
            if (!s.isTextual()) throw new IOException("languages file: '" + field + "' must hold strings only, got " + s + " in " + n);
            out.add(s.asText());
        }
        return List.copyOf(out);
    }

    /** Runs the version command on the host (a trusted binary of the host, with no user input). */
    private static Optional<String> detectVersion(Language l) {
        if (!Files.isExecutable(Path.of(l.run().get(0)))) return Optional.empty();
        try {
            Process p = new ProcessBuilder(l.version()).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readNBytes(4096), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return Optional.empty();
            }
            String first = out.lines().findFirst().orElse("");
            return p.exitValue() == 0 ? Optional.of(first) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    public Optional<Language> find(String id) {
        return Optional.ofNullable(available.get(id));
    }

    public Collection<Language> all() {
        return available.values();
    }

    public List<String> ids() {
        return available.keySet().stream().sorted().toList();
    }
}
