package dev.runbox.compat.piston;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runbox.api.Problem;
import dev.runbox.config.RunboxConfig;
import dev.runbox.job.Limits;
import dev.runbox.language.Language;
import dev.runbox.language.LanguageLimits;
import dev.runbox.language.LanguageRegistry;

import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Piston v2 {@code POST /api/v2/execute} body, checked as Piston checks it (same order, same
 * messages), and written as the Runbox {@code POST /execute} body that runs it. Runbox then checks that
 * body as any other; its refusals are told in Piston's words ({@link #pistonMessage}).
 *
 * <p>What maps to what:
 * <ul>
 *   <li>{@code language} is a language id or one of its {@code aliases}, {@code version} a semver
 *       selector its toolchain's version must satisfy;</li>
 *   <li>the main file is the first file in utf8, as in Piston (which runs the first utf8 file): its
 *       content is Runbox's {@code source_code}, written to the language's source file
 *       ({@code main.py}); its own name is not kept, since Runbox compiles and runs that file. Every
 *       other file goes to Runbox's {@code files}, under its name ({@code file<i>.code} when it has none,
 *       as Piston names it), base64 and hex contents as bytes;</li>
 *   <li>{@code stdin} gets a final newline when it lacks one, as Piston's does; {@code args} are
 *       {@code command_line_arguments};</li>
 *   <li>the run's CPU time limit is {@code run_cpu_time}, and at most half of {@code run_timeout}: a
 *       Runbox run's wall time limit is twice its CPU time limit, so both of the client's bounds hold;
 *       {@code run_memory_limit} is rounded up to whole MiB, -1 being the language's maximum;</li>
 *   <li>the compile runs under the language's compile limits, which are the operator's: the
 *       {@code compile_*} values are checked against them, as Piston checks against its configured
 *       limits, and are not applied otherwise.</li>
 * </ul>
 * A zero or null limit is the default, as in Piston.
 *
 * @param runboxBody        the Runbox request
 * @param pistonFileIndexes for each of the Runbox request's {@code files}, its index in the Piston request's
 * @param mainFileIndex     the index of the main file in the Piston request's {@code files}
 */
record PistonRequest(Language language, SemVer.Version version, ObjectNode runboxBody, List<Integer> pistonFileIndexes,
                     int mainFileIndex) {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final long MIB = 1024 * 1024;
    private static final List<String> ENCODINGS = List.of("utf8", "base64", "hex");
    private static final Pattern RUNBOX_FILE_INDEX = Pattern.compile("files\\[(\\d+)]");

    static PistonRequest parse(JsonNode body, RunboxConfig config, LanguageRegistry languages) {
        if (body == null || !body.isObject()) throw invalid("the body must be a JSON object");
        String language = requiredText(body, "language");
        String version = requiredText(body, "version");
        JsonNode files = body.get("files");
        if (files == null || !files.isArray()) throw invalid("files is required as an array");
        for (int i = 0; i < files.size(); i++) {
            JsonNode f = files.get(i);
            if (!f.isObject() || !f.path("content").isTextual()) throw invalid("files[" + i + "].content is required as a string");
        }
        Language lang = languages.all().stream()
                .filter(l -> l.id().equals(language) || l.aliases().contains(language))
                .filter(l -> SemVer.satisfies(SemVer.fromToolchain(l.detectedVersion()), version))
                .findFirst().orElseThrow(() -> invalid(language + "-" + version + " runtime is unknown"));
        SemVer.Version langVersion = SemVer.fromToolchain(lang.detectedVersion());
        int main = -1;
        for (int i = 0; i < files.size(); i++) {
            JsonNode e = files.get(i).get("encoding");
            if (e != null && !e.isNull() && !(e.isTextual() && ENCODINGS.contains(e.textValue()))) {
                // Piston takes an unknown encoding as utf8 without a word; Runbox says so instead of guessing
                throw invalid("files[" + i + "].encoding must be utf8, base64 or hex");
            }
            if (main < 0 && (e == null || e.isNull() || e.textValue().equals("utf8"))) main = i;
        }
        if (main < 0) throw invalid("files must include at least one utf8 encoded file");
        LanguageLimits.Bounds bounds = languages.bounds(lang.id());
        double wallFactor = Limits.WALL_TIME_FACTOR / Math.min(1.0, config.defaultCpuCores());
        Double runCpuMs = limit(body, "run_cpu_time", bounds.maxTimeLimitSec() * 1000, false);
        Double runWallMs = limit(body, "run_timeout", bounds.maxTimeLimitSec() * 1000 * wallFactor, false);
        Double runMemory = limit(body, "run_memory_limit", (double) bounds.maxMemoryLimitMb() * MIB, true);
        limit(body, "compile_cpu_time", lang.compileLimits().timeLimitSec() * 1000, false);
        limit(body, "compile_timeout", lang.compileLimits().timeLimitSec() * 1000 * Limits.WALL_TIME_FACTOR, false);
        limit(body, "compile_memory_limit", (double) lang.compileLimits().memoryLimitMb() * MIB, true);

        ObjectNode out = NODES.objectNode();
        out.put("language", lang.id());
        out.put("source_code", files.get(main).get("content").textValue());
        out.put("stdin_data", stdin(body));
        out.set("command_line_arguments", args(body));
        ArrayNode boxFiles = out.putArray("files");
        List<Integer> indexes = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            if (i == main) continue;
            boxFiles.add(boxFile(files.get(i), i, lang, main));
            indexes.add(i);
        }
        Double cpuMs = runCpuMs;
        if (runWallMs != null) cpuMs = Math.min(cpuMs == null ? Double.MAX_VALUE : cpuMs, runWallMs / wallFactor);
        if (cpuMs != null) out.put("time_limit_sec", cpuMs / 1000);
        if (runMemory != null) {
            long mb = runMemory < 0 ? bounds.maxMemoryLimitMb() : (long) Math.ceil(runMemory / MIB);
            if (mb < bounds.minMemoryLimitMb()) {
                throw invalid("run_memory_limit must be at least " + bounds.minMemoryLimitMb() * MIB + " (" + bounds.minMemoryLimitMb()
                        + " MiB, the least " + lang.id() + " runs in here)");
            }
            out.put("memory_limit_mb", mb);
        }
        return new PistonRequest(lang, langVersion, out, List.copyOf(indexes), main);
    }

    /**
     * A refusal of the Runbox request in the Piston request's terms: its field names, and its files
     * counted as the client counted them.
     */
    String pistonMessage(Problem p) {
        if (p.errors().isEmpty()) return p.getMessage();
        List<String> parts = new ArrayList<>();
        for (Problem.FieldError e : p.errors()) {
            String field = switch (e.field()) {
                case "source_code" -> "files[" + mainFileIndex + "].content";
                case "stdin_data" -> "stdin";
                case "command_line_arguments" -> "args";
                case "time_limit_sec" -> "run_cpu_time";
                case "memory_limit_mb" -> "run_memory_limit";
                default -> e.field();
            };
            Matcher m = RUNBOX_FILE_INDEX.matcher(e.message());
            StringBuilder message = new StringBuilder();
            while (m.find()) {
                int runbox = Integer.parseInt(m.group(1));
                int piston = runbox < pistonFileIndexes.size() ? pistonFileIndexes.get(runbox) : runbox;
                m.appendReplacement(message, "files[" + piston + "]");
            }
            m.appendTail(message);
            parts.add(field + ": " + message);
        }
        return String.join("; ", parts);
    }

    private static ObjectNode boxFile(JsonNode f, int i, Language lang, int main) {
        JsonNode n = f.get("name");
        String name;
        if (n == null || n.isNull() || (n.isTextual() && n.textValue().isEmpty())) name = "file" + i + ".code";
        else if (n.isTextual()) name = n.textValue();
        else throw invalid("files[" + i + "].name must be a string");
        if (name.equals(lang.sourceFile())) {
            throw invalid("files[" + i + "].name: " + name + " is where the main file (files[" + main + "]) is written for "
                    + lang.id() + "; give this file another name");
        }
        String content = f.get("content").textValue();
        String encoding = f.path("encoding").isTextual() ? f.get("encoding").textValue() : "utf8";
        ObjectNode out = NODES.objectNode();
        out.put("name", name);
        switch (encoding) {
            case "base64" -> {
                out.put("content", Base64.getEncoder().encodeToString(base64(content, i)));
                out.put("encoding", "base64");
            }
            case "hex" -> {
                out.put("content", Base64.getEncoder().encodeToString(hex(content, i)));
                out.put("encoding", "base64");
            }
            default -> {
                out.put("content", content);
                out.put("encoding", "utf8");
            }
        }
        return out;
    }

    /** Base64 as Node's Buffer reads it: standard or URL-safe alphabet, padding optional, whitespace ignored. */
    private static byte[] base64(String s, int i) {
        String compact = s.replaceAll("\\s+", "").replace('-', '+').replace('_', '/');
        int pad = compact.indexOf('=');
        if (pad >= 0) {
            if (!compact.substring(pad).matches("={1,2}")) throw invalid("files[" + i + "].content is not base64");
            compact = compact.substring(0, pad);
        }
        if (compact.length() % 4 == 1) throw invalid("files[" + i + "].content is not base64: its length is not possible");
        try {
            return Base64.getDecoder().decode(compact + "==".substring(0, (4 - compact.length() % 4) % 4));
        } catch (IllegalArgumentException e) {
            throw invalid("files[" + i + "].content is not base64: " + e.getMessage());
        }
    }

    private static byte[] hex(String s, int i) {
        try {
            return HexFormat.of().parseHex(s);
        } catch (IllegalArgumentException e) {
            throw invalid("files[" + i + "].content is not hex (an even number of the digits 0-9 a-f): " + e.getMessage());
        }
    }

    private static String stdin(JsonNode body) {
        JsonNode v = body.get("stdin");
        if (v == null || v.isNull()) return "\n";
        if (!v.isTextual()) throw invalid("stdin must be a string");
        String s = v.textValue();
        // Piston gives the program its stdin with a final newline, even an empty one
        return s.endsWith("\n") ? s : s + "\n";
    }

    private static ArrayNode args(JsonNode body) {
        JsonNode v = body.get("args");
        ArrayNode out = NODES.arrayNode();
        if (v == null || v.isNull()) return out;
        if (!v.isArray()) throw invalid("args must be an array of strings");
        for (JsonNode a : v) {
            if (!a.isTextual()) throw invalid("args must be an array of strings");
            out.add(a.textValue());
        }
        return out;
    }

    /**
     * A limit as Piston checks it: absent, null or 0 is the default (null here); else a number, at most
     * {@code configured}, not negative (-1, where {@code minusOneIsMax}, is the maximum).
     */
    private static Double limit(JsonNode body, String name, double configured, boolean minusOneIsMax) {
        JsonNode v = body.get(name);
        if (v == null || v.isNull() || (v.isNumber() && v.doubleValue() == 0)) return null;
        if (!v.isNumber() || !Double.isFinite(v.doubleValue())) throw invalid("If specified, " + name + " must be a number");
        double d = v.doubleValue();
        if (d > configured) throw invalid(name + " cannot exceed the configured limit of " + plain(configured));
        if (d == -1 && minusOneIsMax) return -1.0;
        if (d < 0) throw invalid(name + " must be non-negative");
        return d;
    }

    private static String plain(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    private static String requiredText(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || !v.isTextual() || v.textValue().isEmpty()) throw invalid(field + " is required as a string");
        return v.textValue();
    }

    static Problem invalid(String message) {
        return Problem.of(400, "piston-invalid", "Invalid Piston request", message);
    }
}
