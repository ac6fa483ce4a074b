package dev.runbox.store;

import dev.runbox.job.ExecutionResult;
import dev.runbox.job.Status;
import dev.runbox.job.SubmissionId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The embedded result store. An entry expires {@code ttl} after its last write: reads never return
 * an expired entry, and {@link #evictExpired} (called periodically) frees their memory. Watchers of
 * an id are called on the thread that made each transition, right after the write; the transitions
 * of one job are made by one worker thread in turn, so watchers see them in order.
 */
public final class InMemoryResultStore implements ResultStore {

    private static final Logger log = LoggerFactory.getLogger(InMemoryResultStore.class);

    private record Entry(ExecutionResult result, Instant expiresAt) {
    }

    private final ConcurrentHashMap<SubmissionId, Entry> entries = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<SubmissionId, List<Consumer<ExecutionResult>>> watchers = new ConcurrentHashMap<>();
    private final Duration ttl;
    private final Clock clock;

    public InMemoryResultStore(Duration ttl, Clock clock) {
        this.ttl = ttl;
        this.clock = clock;
    }

    @Override
    public void create(ExecutionResult pending) {
        Entry fresh = new Entry(pending, clock.instant().plus(ttl));
        boolean[] exists = {false};
        // an expired entry not yet evicted is gone for every reader: it does not block a new one
        entries.compute(pending.submissionId(), (k, e) -> {
            if (e != null && !isExpired(e)) {
                exists[0] = true;
                return e;
            }
            return fresh;
        });
        if (exists[0]) throw new IllegalStateException("submission " + pending.submissionId() + " already exists");
    }

    @Override
    public Optional<ExecutionResult> get(SubmissionId id) {
        Entry e = entries.get(id);
        if (e == null || isExpired(e)) return Optional.empty();
        return Optional.of(e.result());
    }

    @Override
    public boolean transition(SubmissionId id, Status from, ExecutionResult next) {
        if (!next.submissionId().equals(id)) {
            throw new IllegalArgumentException("result of submission " + next.submissionId() + " cannot be stored as " + id);
        }
        if (!from.canMoveTo(next.status())) return false;
        boolean[] moved = {false};
        entries.computeIfPresent(id, (k, e) -> {
            if (isExpired(e) || e.result().status() != from) return e;
            moved[0] = true;
            return new Entry(next, clock.instant().plus(ttl));
        });
        // after the write, so that a watcher reading the store sees at least this result
        if (moved[0]) notifyWatchers(next);
        return moved[0];
    }

    @Override
    public Watch watch(SubmissionId id, Consumer<ExecutionResult> listener) {
        watchers.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>()).add(listener);
        return () -> watchers.computeIfPresent(id, (k, list) -> {
            list.remove(listener);
            return list.isEmpty() ? null : list;
        });
    }

    private void notifyWatchers(ExecutionResult next) {
        List<Consumer<ExecutionResult>> list = watchers.get(next.submissionId());
        if (list == null) return;
        for (Consumer<ExecutionResult> l : list) {
            try {
                l.accept(next);
            } catch (RuntimeException e) {
                log.warn("a watcher of {} failed", next.submissionId(), e);
            }
        }
    }

    /** Ids with at least one watcher (to check that watches are closed). */
    public int watchedIds() {
        return watchers.size();
    }

    @Override
    public void delete(SubmissionId id) {
        entries.remove(id);
    }

    /** Frees expired entries; returns how many. */
    public int evictExpired() {
        int before = entries.size();
        entries.values().removeIf(this::isExpired);
        return before - entries.size();
    }

    public int size() {
        return entries.size();
    }

    private boolean isExpired(Entry e) {
        return !clock.instant().isBefore(e.expiresAt());
    }
}
