package dev.runbox.api;

import dev.runbox.job.ExecutionResult;
import dev.runbox.job.Submission;
import dev.runbox.job.SubmissionId;
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
    private volatile boolean draining;

    Submissions(JobQueue queue, ResultStore store, ResultCache cache, Callbacks callbacks, Clock clock,
                RecentSubmissions recent) {
        this.recent = recent;
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

    /** The first result of the new submission: PENDING, or final when it came from the cache. */
    ExecutionResult accept(ExecuteRequest req) {
        if (draining) {
            throw new Problem(503, "shutting-down", "Shutting down", "this server is shutting down; send the job to another one",
                    List.of(), Map.of("Retry-After", Integer.toString(RETRY_AFTER_SEC)));
        }
        SubmissionId id = SubmissionId.random();
        String key = req.cache() ? ResultCache.key(req) : null;
        Optional<ExecutionResult> hit = key == null ? Optional.empty() : cache.lookup(key);
        ExecutionResult first;
        if (hit.isPresent()) {
            first = hit.get().cachedCopy(id, clock.instant());
            store.create(first);
        } else {
            Submission job = new Submission(id, req.language(), req.sourceCode(), req.stdinData(), req.limits(),
                    clock.instant(), req.compilerOptions(), req.commandLineArguments(), req.expectedOutput());
            first = ExecutionResult.pending(job);
            store.create(first);
            try {
                queue.enqueue(job);
            } catch (QueueUnavailableException e) {
                try {
                    store.delete(id);
                } catch (StoreUnavailableException also) {
                    // the orphan PENDING result expires with its TTL; nobody knows its id
                }
                throw e;
            } catch (QueueFullException e) {
                store.delete(id);
                throw new Problem(503, "queue-full", "Too many submissions waiting", e.getMessage() + "; retry later",
                        List.of(), Map.of("Retry-After", Integer.toString(RETRY_AFTER_SEC)));
            }
            if (key != null) cache.rememberWhenFinal(id, key);
        }
        req.callbackUrl().ifPresent(url -> callbacks.deliverWhenFinal(id, url));
        recent.accepted(id);
        return first;
    }
}
