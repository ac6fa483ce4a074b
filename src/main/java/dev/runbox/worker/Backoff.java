package dev.runbox.worker;

import java.time.Duration;

/** Pauses that double from {@code min} up to {@code max} while something stays unreachable. */
final class Backoff {
    private final Duration min;
    private final Duration max;
    private Duration next;

    Backoff(Duration min, Duration max) {
        this.min = min;
        this.max = max;
        this.next = min;
    }

    /** Sleeps the current pause and doubles the next one (capped); returns the pause slept. */
    Duration pause() throws InterruptedException {
        Duration d = next;
        Thread.sleep(d.toMillis());
        next = next.multipliedBy(2).compareTo(max) > 0 ? max : next.multipliedBy(2);
        return d;
    }

    void reset() {
        next = min;
    }
}
