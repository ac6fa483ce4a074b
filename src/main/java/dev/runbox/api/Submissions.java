package dev.runbox.api;

import dev.runbox.job.ExecutionResult;
import dev.runbox.job.Submission;
import dev.runbox.job.SubmissionId;
import dev.runbox.keys.ApiKey;
import dev.runbox.queue.JobQueue;
import dev.runbox.queue.QueueFullException;
import dev.runbox.queue.QueueUnavailableException;
import dev.runbox.store.StoreUnavailableException;
import dev.runbox.store.ResultStore;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Accepts one validated request (from POST /execute or one item of a batch): answers it from the
 * result cache when it may, else stores it as PENDING and queues it; then arranges what happens to its
 * final result (cache, callback). A request that is refused (queue full) leaves nothing behind.
 */
final class Submissions {

    /** Seconds a client should wait before retrying when the queue is full. */
    static final int RETRY_AFTER_SEC = 2;

    private final JobQueue queue;
    private final ResultStore store;
    private final ResultCache cache;
    private final Callbacks callbacks;
    private final Clock clock;
    private final RecentSubmissions recent;
    private final KeyGate keys;
    private volatile boolean draining;

    Submissions(JobQueue queue, ResultStore store, ResultCache cache, Callbacks callbacks, Clock clock,
                RecentSubmissions recent, KeyGate keys) {
        this.recent = recent;
        this.keys = keys;
        this.queue = queue;
        this.store = store;
        this.cache = cache;
        this.callbacks = callbacks;
        this.clock = clock;
    }

    /** From now on every submission is refused with 503: the process is shutting down. */
    void stopAccepting() {
        draining = true;
    }

    /**
     * The first result of the new submission: PENDING, or final when it came from the cache. With API
     * keys, the submission is {@code key}'s and counts against its concurrent quota until final.
     */
    ExecutionResult accept(ExecuteRequest req, Optional<ApiKey> key) {
        return accept(req, key, false);
    }

    /**
     * As {@link #accept(ExecuteRequest, Optional)}; a {@code live} submission's stdin and output go through
     * its live channel while it runs ({@code dev.runbox.live}), so it is never answered from the cache.
     */
    ExecutionResult accept(ExecuteRequest req, Optional<ApiKey> key, boolean live) {
        if (draining) {
            throw new Problem(503, "shutting-down", "Shutting down", "this server is shutting down; send the job to another one",
                    List.of(), Map.of("Retry-After", Integer.toString(RETRY_AFTER_SEC)));
        }
        SubmissionId id = SubmissionId.random();
        String cacheKey = req.cache() && !live ? ResultCache.key(req) : null;
        Optional<ExecutionResult> hit = cacheKey == null ? Optional.empty() : cache.lookup(cacheKey);
        ExecutionResult first;
        if (hit.isPresent()) {
            keys.admit(key, id, false);
            first = hit.get().cachedCopy(id, clock.instant());
            store.create(first);
        } else {
            Submission job = new Submission(id, req.language(), req.sourceCode(), req.stdinData(), req.limits(),
                    clock.instant(), req.compilerOptions(), req.commandLineArguments(), req.expectedOutput(), req.files(),
                    req.judge().tests(), req.judge().checker(), req.judge().stopOnFirstFailure(), req.collect(),
                    req.judge().interactor(), req.stderrToStdout(), live);
            first = ExecutionResult.pending(job);
            KeyGate.Admission admission = keys.admit(key, id, true);
            try {
                store.create(first);
            } catch (RuntimeException e) {
                admission.refused();
                throw e;
            }
            try {
                queue.enqueue(job);
            } catch (QueueUnavailableException e) {
                admission.refused();
                try {
                    store.delete(id);
                } catch (StoreUnavailableException also) {
                    // the orphan PENDING result expires with its TTL; nobody knows its id
                }
                throw e;
            } catch (QueueFullException e) {
                admission.refused();
                store.delete(id);
                throw new Problem(503, "queue-full", "Too many submissions waiting", e.getMessage() + "; retry later",
                        List.of(), Map.of("Retry-After", Integer.toString(RETRY_AFTER_SEC)));
            }
            admission.queued();
            if (cacheKey != null) cache.rememberWhenFinal(id, cacheKey);
        }
        req.callbackUrl().ifPresent(url -> callbacks.deliverWhenFinal(id, url));
        recent.accepted(id);
        return first;
    }
}
