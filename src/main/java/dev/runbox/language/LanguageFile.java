package dev.runbox.language;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a languages file (JSON) into language definitions, checking everything that can be checked
 * without looking at the host: every field's type, ids, file names, commands and their placeholders,
 * mounts and limits. Unknown fields are errors, so a typo never silently drops a setting. The format
 * is documented in the README (Languages).
 */
public final class LanguageFile {

    private static final ObjectMapper JSON = JsonMapper.builder().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();
    private static final Pattern ID = Pattern.compile("[a-z][a-z0-9+_-]{0,31}");
    private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}");
    /** A Docker image reference: [registry/]name[:tag][@digest], lower-case name parts, no spaces or options. */
    private static final Pattern IMAGE = Pattern.compile("[a-z0-9][a-z0-9._/:@-]{0,254}");
    /** Piston's names are looser than ids: {@code c++}, {@code python3.12}, {@code c#}. */
    private static final Pattern ALIAS = Pattern.compile("[a-z0-9][a-z0-9+#._-]{0,31}");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
    private static final Set<String> TOP_FIELDS = Set.of("comment", "compile_limits", "languages");
    private static final Set<String> LANGUAGE_FIELDS = Set.of("comment", "id", "name", "source_file", "compile", "run",
            "version", "mounts", "image", "env", "limits", "compile_limits", "out_of_memory_stderr",
            "aliases", "judge0_id");
    private static final Set<String> LIMIT_FIELDS = Set.of("default_time_limit_sec", "max_time_limit_sec",
            "default_memory_limit_mb", "min_memory_limit_mb", "max_memory_limit_mb");
    private static final Set<String> COMPILE_LIMIT_FIELDS = Set.of("time_limit_sec", "memory_limit_mb", "output_cap_bytes",
            "cpu_cores");
    /** Places the sandbox makes itself; a mount there would hide or fight them. */
    private static final List<String> RESERVED_MOUNTS = List.of("/proc", "/dev", "/tmp", "/box", "/usr");
    /** Where host secrets and other tenants' data live: a languages file may never show them. */
    private static final List<String> SECRET_MOUNTS = List.of("/etc", "/root", "/home", "/var", "/sys", "/run", "/boot",
            "/srv", "/mnt", "/media", "/opt/runbox");
    /** What toolchains need of /etc (alternatives links, the JDK's config); nothing else of it. */
    private static boolean toolchainEtc(Path p) {
        return p.startsWith("/etc/alternatives") || (p.getNameCount() >= 2 && p.getName(0).toString().equals("etc")
                && p.getName(1).toString().startsWith("java-"));
    }

    private LanguageFile() {
    }

    /** The built-in languages file shipped in the jar. */
    public static List<Language> builtIn() throws IOException {
        try (InputStream in = LanguageFile.class.getResourceAsStream("/languages.json")) {
            if (in == null) throw new LanguageFileException("languages.json is missing from the jar");
            return parse(JSON.readTree(in), "built-in languages.json");
        }
    }

    /** An operator's languages file, which replaces the built-in one. */
    public static List<Language> read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new LanguageFileException("languages file " + file + " does not exist");
        try {
            return parse(JSON.readTree(file.toFile()), file.toString());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new LanguageFileException("languages file " + file + " is not valid JSON: " + e.getOriginalMessage());
        }
    }

    /** Parses and checks a whole file; {@code source} names it in messages. */
    static List<Language> parse(JsonNode root, String source) throws LanguageFileException {
        String where = "languages file " + source;
        if (root == null || !root.isObject()) throw new LanguageFileException(where + ": must be a JSON object with 'languages'");
        unknownFields(root, TOP_FIELDS, where);
        CompileLimits compileDefaults = compileLimits(root.get("compile_limits"), CompileLimits.DEFAULTS, where + ": compile_limits");
        JsonNode list = root.get("languages");
        if (list == null || !list.isArray()) throw new LanguageFileException(where + ": 'languages' must be an array");
        List<Language> out = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        Set<Integer> judge0Ids = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            Language l = language(list.get(i), compileDefaults, where + ": languages[" + i + "]");
            if (!ids.add(l.id())) throw new LanguageFileException(where + ": language id '" + l.id() + "' appears twice");
            if (l.judge0Id().isPresent() && !judge0Ids.add(l.judge0Id().getAsInt())) {
                throw new LanguageFileException(where + ": judge0_id " + l.judge0Id().getAsInt() + " of language '" + l.id() + "' appears twice");
            }
            out.add(l);
        }
        uniqueNames(out, where);
        return List.copyOf(out);
    }

    private static Language language(JsonNode n, CompileLimits compileDefaults, String at) throws LanguageFileException {
        if (!n.isObject()) throw new LanguageFileException(at + " must be an object");
        String id = text(n, "id", at);
        if (!ID.matcher(id).matches()) {
            throw new LanguageFileException(at + ": id '" + id + "' must match " + ID.pattern());
        }
        String where = at.replaceFirst("languages\\[\\d+]$", "language '" + id + "'");
        unknownFields(n, LANGUAGE_FIELDS, where);
        String name = text(n, "name", where);
        if (name.isBlank()) throw new LanguageFileException(where + ": 'name' must not be blank");
        String sourceFile = text(n, "source_file", where);
        if (!FILE_NAME.matcher(sourceFile).matches()) {
            throw new LanguageFileException(where + ": source_file '" + sourceFile + "' must be a plain file name matching " + FILE_NAME.pattern());
        }
        List<String> compile = n.has("compile") ? strings(n, "compile", where) : List.of();
        if (n.has("compile")) ArgvTemplate.validate(compile, where + ": compile", Set.of(ArgvTemplate.COMPILER_OPTIONS, ArgvTemplate.EXTRA_SOURCES));
        List<String> run = strings(n, "run", where);
        ArgvTemplate.validate(run, where + ": run", Set.of(ArgvTemplate.COMMAND_LINE_ARGUMENTS));
        List<String> version = strings(n, "version", where);
        ArgvTemplate.validate(version, where + ": version", Set.of());
        if (version.stream().anyMatch(a -> a.contains("{"))) {
            throw new LanguageFileException(where + ": version takes no placeholders");
        }
        List<Path> mounts = new ArrayList<>();
        for (String m : n.has("mounts") ? strings(n, "mounts", where) : List.<String>of()) mounts.add(mount(m, where));
        Optional<String> image = n.has("image") ? Optional.of(text(n, "image", where)) : Optional.empty();
        if (image.isPresent() && !IMAGE.matcher(image.get()).matches()) {
            throw new LanguageFileException(where + ": image '" + image.get() + "' is not an image reference like python:3.12-slim");
        }
        if (image.isPresent() && !mounts.isEmpty()) {
            throw new LanguageFileException(where + ": a language with an image runs without host mounts; its image holds the toolchain");
        }
        Map<String, String> env = env(n.get("env"), where);
        LanguageLimits limits = limits(n.get("limits"), where + ": limits");
        CompileLimits compileLimits = compileLimits(n.get("compile_limits"), compileDefaults, where + ": compile_limits");
        if (n.has("compile_limits") && compile.isEmpty()) {
            throw new LanguageFileException(where + ": compile_limits given but there is no compile step");
        }
        List<String> oom = n.has("out_of_memory_stderr") ? strings(n, "out_of_memory_stderr", where) : List.of();
        if (oom.stream().anyMatch(String::isBlank)) throw new LanguageFileException(where + ": out_of_memory_stderr texts must not be blank");
        OptionalInt judge0Id = judge0Id(n, where);
        List<String> aliases = n.has("aliases") ? strings(n, "aliases", where) : List.of();
        for (String a : aliases) {
            if (!ALIAS.matcher(a).matches()) throw new LanguageFileException(where + ": alias '" + a + "' must match " + ALIAS.pattern());
        }
        return new Language(id, name, sourceFile, compile, run, version, mounts, image, env, limits, compileLimits, oom, null, aliases, judge0Id);
    }

    /** An id or alias names one language: a Piston request for it must not be ambiguous. */
    private static void uniqueNames(List<Language> languages, String where) throws LanguageFileException {
        Map<String, String> owner = new LinkedHashMap<>();
        for (Language l : languages) owner.put(l.id(), l.id());
        for (Language l : languages) {
            for (String a : l.aliases()) {
                String before = owner.putIfAbsent(a, l.id());
                if (before != null) {
                    throw new LanguageFileException(where + ": alias '" + a + "' of language '" + l.id() + "' already names language '" + before + "'");
                }
            }
        }
    }

    private static Path mount(String m, String where) throws LanguageFileException {
        Path p = Path.of(m);
        if (p.isAbsolute() && p.getNameCount() == 0) throw new LanguageFileException(where + ": mount '" + m + "' would show the whole host");
        if (!p.isAbsolute() || !p.normalize().equals(p) || m.contains("..") || m.endsWith("/")) {
            throw new LanguageFileException(where + ": mount '" + m + "' must be an absolute, normalized path");
        }
        for (String reserved : RESERVED_MOUNTS) {
            if (p.startsWith(reserved)) {
                throw new LanguageFileException(where + ": mount '" + m + "' is under " + reserved + ", which the sandbox provides itself");
            }
        }
        for (String secret : SECRET_MOUNTS) {
            if (p.startsWith(secret) && !toolchainEtc(p)) {
                throw new LanguageFileException(where + ": mount '" + m + "' is under " + secret
                        + ", which no sandbox may see (of /etc only /etc/alternatives and /etc/java-* are allowed)");
            }
        }
        for (int i = 0; i < p.getNameCount() - 1; i++) {
            if (p.getName(i).toString().contains("*")) {
                throw new LanguageFileException(where + ": mount '" + m + "': '*' is allowed in the last part only");
            }
        }
        return p;
    }

    private static Map<String, String> env(JsonNode v, String where) throws LanguageFileException {
        Map<String, String> env = new LinkedHashMap<>();
        if (v == null) return env;
        if (!v.isObject()) throw new LanguageFileException(where + ": 'env' must be an object of strings");
        for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!ENV_NAME.matcher(e.getKey()).matches()) throw new LanguageFileException(where + ": bad env name '" + e.getKey() + "'");
            if (!e.getValue().isTextual()) throw new LanguageFileException(where + ": env " + e.getKey() + " must be a string");
            if (e.getValue().textValue().indexOf('\0') >= 0) throw new LanguageFileException(where + ": env " + e.getKey() + " holds NUL");
            env.put(e.getKey(), e.getValue().textValue());
        }
        return env;
    }

    private static LanguageLimits limits(JsonNode v, String where) throws LanguageFileException {
        if (v == null) return LanguageLimits.SERVER;
        if (!v.isObject()) throw new LanguageFileException(where + " must be an object");
        unknownFields(v, LIMIT_FIELDS, where);
        Double defTime = positive(v, "default_time_limit_sec", where);
        Double maxTime = positive(v, "max_time_limit_sec", where);
        Integer defMem = wholePositive(v, "default_memory_limit_mb", where);
        Integer minMem = wholePositive(v, "min_memory_limit_mb", where);
        Integer maxMem = wholePositive(v, "max_memory_limit_mb", where);
        if (defTime != null && maxTime != null && defTime > maxTime) {
            throw new LanguageFileException(where + ": default_time_limit_sec " + defTime + " is above max_time_limit_sec " + maxTime);
        }
        if (minMem != null && maxMem != null && minMem > maxMem) {
            throw new LanguageFileException(where + ": min_memory_limit_mb " + minMem + " is above max_memory_limit_mb " + maxMem);
        }
        if (defMem != null && ((minMem != null && defMem < minMem) || (maxMem != null && defMem > maxMem))) {
            throw new LanguageFileException(where + ": default_memory_limit_mb " + defMem + " is outside [min_memory_limit_mb, max_memory_limit_mb]");
        }
        return new LanguageLimits(defTime, maxTime, defMem, minMem, maxMem);
    }

    private static CompileLimits compileLimits(JsonNode v, CompileLimits base, String where) throws LanguageFileException {
        if (v == null) return base;
        if (!v.isObject()) throw new LanguageFileException(where + " must be an object");
        unknownFields(v, COMPILE_LIMIT_FIELDS, where);
        Double time = positive(v, "time_limit_sec", where);
        Integer memory = wholePositive(v, "memory_limit_mb", where);
        Integer output = wholePositive(v, "output_cap_bytes", where);
        Double cores = positive(v, "cpu_cores", where);
        try {
            return new CompileLimits(time != null ? time : base.timeLimitSec(), memory != null ? memory : base.memoryLimitMb(),
                    output != null ? output : base.outputCapBytes(), cores != null ? cores : base.cpuCores());
        } catch (IllegalArgumentException e) {
            throw new LanguageFileException(where + ": " + e.getMessage());
        }
    }

    private static void unknownFields(JsonNode n, Set<String> known, String where) throws LanguageFileException {
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!known.contains(f)) {
                throw new LanguageFileException(where + ": unknown field '" + f + "' (known: " + String.join(", ", known.stream().sorted().toList()) + ")");
            }
        }
    }

    /** The optional {@code judge0_id}: the language's id in the Judge0 drop-in API, a whole number from 1. */
    private static OptionalInt judge0Id(JsonNode n, String where) throws LanguageFileException {
        JsonNode v = n.get("judge0_id");
        if (v == null) return OptionalInt.empty();
        if (!v.isInt() || v.intValue() < 1) throw new LanguageFileException(where + ": 'judge0_id' must be a whole number >= 1");
        return OptionalInt.of(v.intValue());
    }

    private static String text(JsonNode n, String field, String where) throws LanguageFileException {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual()) throw new LanguageFileException(where + ": '" + field + "' must be a string");
        return v.textValue();
    }

    private static List<String> strings(JsonNode n, String field, String where) throws LanguageFileException {
        JsonNode v = n.get(field);
        if (v == null || !v.isArray()) throw new LanguageFileException(where + ": '" + field + "' must be an array of strings");
        List<String> out = new ArrayList<>();
        for (JsonNode s : v) {
            if (!s.isTextual()) throw new LanguageFileException(where + ": '" + field + "' must hold only strings, found " + s);
            if (s.textValue().indexOf('\0') >= 0) throw new LanguageFileException(where + ": '" + field + "' holds a NUL character");
            out.add(s.textValue());
        }
        return List.copyOf(out);
    }

    private static Double positive(JsonNode n, String field, String where) throws LanguageFileException {
        JsonNode v = n.get(field);
        if (v == null) return null;
        if (!v.isNumber() || !(v.doubleValue() > 0) || Double.isInfinite(v.doubleValue())) {
            throw new LanguageFileException(where + ": " + field + " must be a number > 0");
        }
        return v.doubleValue();
    }

    private static Integer wholePositive(JsonNode n, String field, String where) throws LanguageFileException {
        JsonNode v = n.get(field);
        if (v == null) return null;
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 1) {
            throw new LanguageFileException(where + ": " + field + " must be a whole number >= 1");
        }
        return v.intValue();
    }
}
