package dev.runbox.api;

import dev.runbox.job.ExecutionResult;
import dev.runbox.job.SubmissionId;
import dev.runbox.store.ResultStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * Results pushed by the store ({@link ResultStore#watch}), in the two shapes the API uses: the final
 * result as a future, or every change as a stream. Nothing here polls and no thread waits: a waiting
 * request or an open event stream costs one registered listener.
 *
 * <p>Store listeners run on the store's thread (usually a worker) and must not block, so everything
 * that writes to a client runs on {@code executor} instead.
 */
final class ResultPush {

    private static final Logger log = LoggerFactory.getLogger(ResultPush.class);

    private final ResultStore store;
    private final Executor executor;

    ResultPush(ResultStore store, Executor executor) {
        this.store = store;
        this.executor = executor;
    }

    /**
     * Completes with the final result of {@code id} (at once if it is final already). It completes on
     * the store's thread: attach dependent stages with the {@code *Async} methods. Its watch is closed
     * when it completes in any way (also on a timeout set by the caller, or cancel).
     */
    CompletableFuture<ExecutionResult> whenFinal(SubmissionId id) {
        CompletableFuture<ExecutionResult> f = new CompletableFuture<>();
        ResultStore.Watch w = store.watch(id, r -> {
            if (r.status().isFinal()) f.complete(r);
        });
        f.whenComplete((r, e) -> w.close());
        // watch first, then read: a result stored in between is seen by one or both
        store.get(id).filter(r -> r.status().isFinal()).ifPresent(f::complete);
        return f;
    }

    /** A stream of one submission's results; {@link #close} stops it. */
    interface Follow extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Calls {@code onResult} on the executor with the current result of {@code id}, then with each
     * newer one, one call at a time and in order, ending with the final result. Results seen twice
     * (the watch-then-read overlap) or older than one already passed are skipped.
     */
    Follow follow(SubmissionId id, Consumer<ExecutionResult> onResult) {
        Serial serial = new Serial(onResult);
        ResultStore.Watch w = store.watch(id, serial::offer);
        Optional<ExecutionResult> now = store.get(id);
        now.ifPresent(serial::offer);
        return w::close;
    }

    /** Passes results on one at a time, in order, on the executor. */
    private final class Serial {
        private final Consumer<ExecutionResult> onResult;
        private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);
        private ExecutionResult last; // only touched by the chained tasks, one at a time

        Serial(Consumer<ExecutionResult> onResult) {
            this.onResult = onResult;
        }

        synchronized void offer(ExecutionResult r) {
            tail = tail.thenRunAsync(() -> {
                // Status is declared in life order: PENDING, PROCESSING, then the final ones
                if (last != null && (last.status().isFinal() || r.equals(last)
                        || r.status().ordinal() < last.status().ordinal())) {
                    return;
                }
                last = r;
                try {
                    onResult.accept(r);
                } catch (RuntimeException e) {
                    // one failed delivery must not end the chain (the next task runs after this one)
                    log.warn("passing on a result of {} failed", r.submissionId(), e);
                }
            }, executor);
        }
    }
}
