package dev.runbox.compat.judge0;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.runbox.api.SubmissionGateway;
import dev.runbox.config.RunboxConfig;
import dev.runbox.job.Limits;
import dev.runbox.language.Language;
import dev.runbox.registry.WorkerRegistry;
import dev.runbox.registry.WorkerStatus;
import io.javalin.http.Context;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Judge0's informative routes with Runbox's values: languages (those of the languages file with a
 * {@code judge0_id}), statuses, about ({@code version} 1.13.1, the API this layer speaks, so that clients
 * that check it accept Runbox), config_info (every key Judge0 returns, with what Runbox does), system_info
 * and workers.
 */
final class Judge0Info {

    /** The Judge0 API version this layer implements. */
    static final String VERSION = "1.13.1";

    private final SubmissionGateway gateway;

    Judge0Info(SubmissionGateway gateway) {
        this.gateway = gateway;
    }

    /** Runbox's wall time limit at a time limit: {@link Limits#WALL_TIME_FACTOR} × it (one core). */
    static double maxWallTimeSec(RunboxConfig c) {
        return c.maxTimeLimitSec() * Limits.WALL_TIME_FACTOR;
    }

    private List<Language> judge0Languages() {
        return gateway.languages().all().stream().filter(l -> l.judge0Id().isPresent())
                .sorted(Comparator.comparing(Language::name)).toList();
    }

    void languages(Context ctx) throws JsonProcessingException {
        Judge0Routes.json(ctx, judge0Languages().stream().map(Judge0View::languageRef).toList());
    }

    void allLanguages(Context ctx) throws JsonProcessingException {
        Judge0Routes.json(ctx, judge0Languages().stream().map(l -> {
            Map<String, Object> m = Judge0View.languageRef(l);
            m.put("is_archived", false);
            return m;
        }).toList());
    }

    void language(Context ctx) throws JsonProcessingException {
        String raw = ctx.pathParam("id");
        Language l = judge0Languages().stream().filter(x -> Integer.toString(x.judge0Id().getAsInt()).equals(raw)).findFirst()
                .orElseThrow(() -> new Judge0Routes.Judge0Error(404, "language with id " + abbreviate(raw) + " doesn't exist"));
        Map<String, Object> m = Judge0View.languageRef(l);
        m.put("is_archived", false);
        m.put("source_file", l.sourceFile());
        // Runbox's commands are argv lists (never a shell line); shown joined by spaces, as Judge0 shows its own
        m.put("compile_cmd", l.compiled() ? String.join(" ", l.compile()) : null);
        m.put("run_cmd", String.join(" ", l.run()));
        Judge0Routes.json(ctx, m);
    }

    void statuses(Context ctx) throws JsonProcessingException {
        Judge0Routes.json(ctx, java.util.Arrays.stream(Judge0Status.values()).map(Judge0View::statusJson).toList());
    }

    void about(Context ctx) throws JsonProcessingException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", VERSION);
        // this server's own pages: Runbox names no public home of its own
        String origin = ctx.scheme() + "://" + ctx.host();
        m.put("homepage", origin + "/docs");
        m.put("source_code", origin + "/openapi.json");
        m.put("maintainer", "Runbox (a Judge0 CE " + VERSION + " compatible API; see the README's \"Coming from Judge0\")");
        Judge0Routes.json(ctx, m);
    }

    /** Every key of Judge0's config_info, with Runbox's value (README "Coming from Judge0" says what each means here). */
    void configInfo(Context ctx) throws JsonProcessingException {
        RunboxConfig c = gateway.config();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("maintenance_mode", false);
        m.put("enable_wait_result", true);
        m.put("enable_compiler_options", true);
        m.put("allowed_languages_for_compile_options", List.of());
        m.put("enable_command_line_arguments", true);
        m.put("enable_submission_delete", c.judge0EnableSubmissionDelete());
        m.put("enable_callbacks", c.callbackSecret().isPresent());
        m.put("callbacks_max_tries", c.callbackMaxAttempts());
        m.put("callbacks_timeout", 10.0);
        m.put("enable_additional_files", c.maxFiles() > 0);
        m.put("max_queue_size", c.queueCapacity());
        m.put("cpu_time_limit", c.defaultTimeLimitSec());
        m.put("max_cpu_time_limit", c.maxTimeLimitSec());
        m.put("cpu_extra_time", 0.0);
        m.put("max_cpu_extra_time", Judge0Request.MAX_CPU_EXTRA_TIME);
        m.put("wall_time_limit", c.defaultTimeLimitSec() * Limits.WALL_TIME_FACTOR);
        m.put("max_wall_time_limit", maxWallTimeSec(c));
        m.put("memory_limit", c.defaultMemoryLimitMb() * 1024);
        m.put("max_memory_limit", c.maxMemoryLimitMb() * 1024);
        m.put("stack_limit", 64_000); // accepted and ignored: the stack lives within the memory limit
        m.put("max_stack_limit", Judge0Request.MAX_STACK_LIMIT_KB);
        m.put("max_processes_and_or_threads", c.maxProcesses());
        m.put("max_max_processes_and_or_threads", c.maxProcesses());
        m.put("enable_per_process_and_thread_time_limit", false);
        m.put("allow_enable_per_process_and_thread_time_limit", true);
        m.put("enable_per_process_and_thread_memory_limit", false);
        m.put("allow_enable_per_process_and_thread_memory_limit", true);
        m.put("max_file_size", c.writableMb() * 1024);
        m.put("max_max_file_size", c.writableMb() * 1024);
        m.put("number_of_runs", 1);
        m.put("max_number_of_runs", Judge0Request.MAX_NUMBER_OF_RUNS);
        m.put("redirect_stderr_to_stdout", false);
        m.put("max_extract_size", c.maxFilesBytes() / 1024);
        m.put("enable_batched_submissions", true);
        m.put("max_submission_batch_size", c.judge0MaxBatch());
        m.put("submission_cache_duration", 0.0);
        m.put("use_docs_as_homepage", false);
        m.put("enable_network", false);
        m.put("allow_enable_network", false);
        Judge0Routes.json(ctx, m);
    }

    void systemInfo(Context ctx) throws JsonProcessingException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Architecture", System.getProperty("os.arch"));
        m.put("CPU(s)", Integer.toString(Runtime.getRuntime().availableProcessors()));
        m.put("Model name", firstValue(Path.of("/proc/cpuinfo"), "model name"));
        m.put("Kernel", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        String memKb = firstValue(Path.of("/proc/meminfo"), "MemTotal");
        m.put("Mem", memKb == null ? null : memKb.replaceAll("\\s+", " "));
        Judge0Routes.json(ctx, m);
    }

    private static String firstValue(Path file, String key) {
        try {
            for (String line : Files.readAllLines(file)) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).strip().equals(key)) return line.substring(colon + 1).strip();
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or not readable: the key is null
        }
        return null;
    }

    /** Judge0 lists its Resque queue's workers; Runbox's queue is one, served by the workers that sent heartbeats. */
    void workers(Context ctx) throws JsonProcessingException {
        WorkerRegistry.Snapshot snap = gateway.workers();
        List<WorkerStatus> alive = snap.workers().stream().filter(w -> w.aliveAt(snap.now())).toList();
        int slots = alive.stream().mapToInt(WorkerStatus::concurrency).sum();
        int busy = alive.stream().mapToInt(WorkerStatus::busy).sum();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("queue", VERSION);
        m.put("size", gateway.queueDepth());
        m.put("available", slots);
        m.put("idle", slots - busy);
        m.put("working", busy);
        m.put("paused", 0);
        m.put("failed", snap.workers().size() - alive.size());
        Judge0Routes.json(ctx, List.of(m));
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }
}
