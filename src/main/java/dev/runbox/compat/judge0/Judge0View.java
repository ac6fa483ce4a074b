package dev.runbox.compat.judge0;

import dev.runbox.job.ExecutionResult;
import dev.runbox.language.Language;
import dev.runbox.language.LanguageRegistry;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A Runbox result as Judge0 shows a submission: its columns, chosen by {@code fields}, with
 * {@code stdout}, {@code stderr}, {@code compile_output} and {@code message} in base64 when asked.
 *
 * <p>Runbox keeps the result of a run, not the request (the store holds no source or input once run), so
 * the columns that only echo the request ({@link #REQUEST_ECHO}: {@code source_code}, {@code stdin}, the
 * limits…) are answered null when named and left out of {@code *}: a client that copies every answered
 * field onto its own submission object (judge0-python does) keeps what it sent.
 */
final class Judge0View {

    static final List<String> DEFAULT_FIELDS = List.of("token", "time", "memory", "stdout", "stderr", "compile_output",
            "message", "status");
    /** What Runbox answers for {@code *}, in Judge0's column order. */
    static final List<String> ALL_FIELDS = List.of("token", "language_id", "stdout", "status_id", "created_at", "finished_at",
            "time", "memory", "stderr", "compile_output", "exit_code", "exit_signal", "message", "wall_time", "status", "language");
    static final Set<String> REQUEST_ECHO = Set.of("source_code", "stdin", "expected_output", "number_of_runs", "cpu_time_limit",
            "cpu_extra_time", "wall_time_limit", "memory_limit", "stack_limit", "max_processes_and_or_threads",
            "enable_per_process_and_thread_time_limit", "enable_per_process_and_thread_memory_limit", "max_file_size",
            "compiler_options", "command_line_arguments", "redirect_stderr_to_stdout", "callback_url", "additional_files",
            "enable_network", "post_execution_filesystem");
    /** The columns Judge0 sends in a callback (always base64). */
    static final List<String> CALLBACK_FIELDS = List.of("stdout", "stderr", "compile_output", "message", "exit_code", "exit_signal",
            "status", "created_at", "finished_at", "token", "time", "wall_time", "memory");
    private static final Set<String> TEXT = Set.of("stdout", "stderr", "compile_output", "message");
    /** Judge0's time format (Rails: milliseconds, Z); judge0-python parses exactly this. */
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    /** The {@code fields} query parameter, resolved; unknown names are Judge0's 400. */
    record Fields(List<String> names) {
        static Fields parse(String raw) {
            if (raw == null || raw.isBlank()) return new Fields(DEFAULT_FIELDS);
            List<String> names = new ArrayList<>();
            List<String> invalid = new ArrayList<>();
            for (String f : raw.split(",")) {
                String n = f.strip();
                if (n.isEmpty()) continue;
                if (n.equals("*")) {
                    ALL_FIELDS.forEach(a -> {
                        if (!names.contains(a)) names.add(a);
                    });
                } else if (ALL_FIELDS.contains(n) || REQUEST_ECHO.contains(n)) {
                    if (!names.contains(n)) names.add(n);
                } else {
                    invalid.add(n);
                }
            }
            if (!invalid.isEmpty()) throw new Judge0Routes.Judge0Error(400, "invalid fields: [" + String.join(", ", invalid) + "]");
            return new Fields(names.isEmpty() ? DEFAULT_FIELDS : names);
        }
    }

    /** Output that is not UTF-8 cannot be shown without base64 (Judge0's UndefinedConversionError). */
    static final class NotUtf8 extends Exception {
        NotUtf8() {
            super("some attributes for this submission cannot be converted to UTF-8, use base64_encoded=true query parameter");
        }
    }

    private Judge0View() {
    }

    static Map<String, Object> render(ExecutionResult r, Fields fields, boolean base64, LanguageRegistry languages) throws NotUtf8 {
        Map<String, Object> m = new LinkedHashMap<>();
        Judge0Status status = Judge0Status.of(r);
        Optional<Language> lang = languages.find(r.language());
        for (String f : fields.names()) {
            Object v = switch (f) {
                case "token" -> r.submissionId().toString();
                case "language_id" -> lang.flatMap(l -> l.judge0Id().isPresent() ? Optional.of(l.judge0Id().getAsInt()) : Optional.empty())
                        .orElse(null);
                case "stdout" -> text(r.stdout(), base64);
                case "stderr" -> text(r.stderr(), base64);
                case "compile_output" -> text(r.compileOutput(), base64);
                case "message" -> text(r.message(), base64);
                case "status_id" -> status.id;
                case "status" -> statusJson(status);
                case "created_at" -> time(r.createdAt());
                case "finished_at" -> time(r.finishedAt());
                case "time" -> decimal(r.cpuTimeSec());
                case "wall_time" -> decimal(r.timeSec());
                case "memory" -> r.memoryKb();
                case "exit_code" -> r.exitCode();
                case "exit_signal" -> r.signal();
                case "language" -> lang.map(Judge0View::languageRef).orElse(null);
                default -> null; // a column that only echoes the request: Runbox does not keep it
            };
            m.put(f, v);
        }
        if (!base64) {
            for (String f : TEXT) {
                if (m.get(f) instanceof String s && s.indexOf('\uFFFD') >= 0) throw new NotUtf8();
            }
        }
        return m;
    }

    static Map<String, Object> statusJson(Judge0Status s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", s.id);
        m.put("description", s.description);
        return m;
    }

    static Map<String, Object> languageRef(Language l) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", l.judge0Id().isPresent() ? l.judge0Id().getAsInt() : null);
        m.put("name", l.name());
        return m;
    }

    /** Judge0's empty output is null, as Rails stores an empty file's content. */
    private static String text(String s, boolean base64) {
        if (s == null || s.isEmpty()) return null;
        // Runbox stores output as UTF-8 text (invalid bytes already replaced by U+FFFD), so these are its bytes
        return base64 ? Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8)) : s;
    }

    private static String time(Instant t) {
        return t == null ? null : TIME.format(t);
    }

    /** Judge0's decimal columns are strings ("0.046"). */
    private static String decimal(Double sec) {
        return sec == null ? null : BigDecimal.valueOf(sec).toPlainString();
    }
}
