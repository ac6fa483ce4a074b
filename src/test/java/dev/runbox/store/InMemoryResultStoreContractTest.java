package dev.runbox.store;

import dev.runbox.job.SubmissionId;
import dev.runbox.testing.MutableClock;

import java.time.Duration;
import java.time.Instant;

/** The store contract against the in-memory store, on a clock the test moves. */
class InMemoryResultStoreContractTest extends ResultStoreContract {

    private final MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));

    @Override
    protected ResultStore newStore(Duration ttl) {
        return new InMemoryResultStore(ttl, clock);
    }

    @Override
    protected void letExpire(ResultStore store, SubmissionId id, Duration ttl) {
        clock.advance(ttl);
    }
}
