package dev.runbox.language;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
            for (JsonNode m : n.path("mounts")) {
                Path p = Path.of(m.asText());
                if (!p.isAbsolute()) throw new IOException("languages file: mount " + p + " of " + id + " is not absolute");
                mounts.add(p);
            }
            Map<String, String> env = new LinkedHashMap<>();
            n.path("env").fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
            out.add(new Language(id, text(n, "name"), text(n, "source_file"), strings(n, "run"), strings(n, "version"),
                    mounts, env, null));
        }
        return out;
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
        for (JsonNode s : v) out.add(s.asText());
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
