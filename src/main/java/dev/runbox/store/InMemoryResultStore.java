package dev.runbox.store;

import dev.runbox.job.ExecutionResult;
import dev.runbox.job.Status;
import dev.runbox.job.SubmissionId;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The embedded result store. An entry expires {@code ttl} after its last write: reads never return
 * an expired entry, and {@link #evictExpired} (called periodically) frees their memory.
 */
public final class InMemoryResultStore implements ResultStore {

    private record Entry(ExecutionResult result, Instant expiresAt) {
    }

    private final ConcurrentHashMap<SubmissionId, Entry> entries = new ConcurrentHashMap<>();
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
        return moved[0];
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
