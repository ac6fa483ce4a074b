package dev.runbox.registry;

import java.time.Duration;
import java.time.Instant;

/**
 * What a worker process tells about itself in each heartbeat (GET /workers).
 *
 * @param id          unique per process: {@code host/pid-random}; also its consumer name in the queue
 * @param concurrency jobs it runs at once (worker threads)
 * @param busy        jobs it is running now
 * @param jobsDone    jobs it finished (final result stored) since it started
 * @param state       {@code running} or {@code stopping} (graceful shutdown under way)
 * @param heartbeat   how often it beats; it counts as dead after {@link #DEAD_AFTER_BEATS} silent beats
 * @param lastSeen    when the store last heard from it (the store's clock); null before the first beat
 */
public record WorkerStatus(String id, String host, long pid, int concurrency, int busy, long jobsDone, String state,
                           Instant startedAt, Duration heartbeat, Instant lastSeen) {

    public static final int DEAD_AFTER_BEATS = 3;

    /** Whether it beat recently enough, judged at {@code now} (the same clock as {@code lastSeen}). */
    public boolean aliveAt(Instant now) {
        return lastSeen != null && Duration.between(lastSeen, now).compareTo(heartbeat.multipliedBy(DEAD_AFTER_BEATS)) < 0;
    }

    public WorkerStatus seenAt(Instant t) {
        return new WorkerStatus(id, host, pid, concurrency, busy, jobsDone, state, startedAt, heartbeat, t);
    }
}
