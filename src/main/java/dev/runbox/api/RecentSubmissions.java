package dev.runbox.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.runbox.job.ExecutionResult;
import dev.runbox.job.SubmissionId;
import dev.runbox.store.ResultStore;
import io.javalin.http.Context;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code GET /submissions/recent}: the last {@link #CAPACITY} submissions this API process
 * accepted, newest first, each with its current status from the result store (for the monitor page).
 * Bounded: only ids are kept, at most {@link #CAPACITY}; the oldest is dropped when a new one comes.
 * Per process: behind a load balancer each API server lists what it accepted. Results that expired
 * from the store are left out.
 */
final class RecentSubmissions {

    static final int CAPACITY = 50;

    private final ResultStore store;
    private final Deque<SubmissionId> ids = new ArrayDeque<>(CAPACITY);

    RecentSubmissions(ResultStore store) {
        this.store = store;
    }

    synchronized void accepted(SubmissionId id) {
        if (ids.size() == CAPACITY) ids.removeLast();
        ids.addFirst(id);
    }

    private synchronized List<SubmissionId> newestFirst() {
        return new ArrayList<>(ids);
    }

    /** The recent submissions the caller may see (with API keys on: only its own). */
    void handle(Context ctx, java.util.function.Predicate<SubmissionId> visible) throws JsonProcessingException {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("capacity", CAPACITY);
        out.put("submissions", list(visible));
        HttpApi.json(ctx, out);
    }

    /** The ids the caller may see, newest first (whether or not still stored). */
    List<SubmissionId> ids(java.util.function.Predicate<SubmissionId> visible) {
        return newestFirst().stream().filter(visible).toList();
    }

    /** The summaries, newest first; those no longer in the store are left out. */
    List<Map<String, Object>> list() {
        return list(id -> true);
    }

    List<Map<String, Object>> list(java.util.function.Predicate<SubmissionId> visible) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (SubmissionId id : newestFirst()) {
            if (!visible.test(id)) continue;
            Optional<ExecutionResult> r = store.get(id);
            r.ifPresent(result -> list.add(summary(result)));
        }
        return list;
    }

    /** A result without its output: the monitor shows the status, and links to the whole result. */
    private static Map<String, Object> summary(ExecutionResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("submission_id", r.submissionId().toString());
        m.put("status", r.status().name());
        m.put("language", r.language());
        m.put("created_at", r.createdAt().toString());
        m.put("finished_at", r.finishedAt() == null ? null : r.finishedAt().toString());
        m.put("time_sec", r.timeSec());
        m.put("memory_kb", r.memoryKb());
        m.put("cached", r.cached());
        return m;
    }
}
