package dev.runbox.keys;

import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;

import java.time.Duration;
import java.util.Optional;

/** The Bucket4j shape of a key's rate, shared by the in-memory and the Redis limits. */
public final class Buckets {
    private Buckets() {
    }

    static BucketConfiguration configuration(ApiKey.Rate rate) {
        return BucketConfiguration.builder()
                .addLimit(l -> l.capacity(rate.burst()).refillGreedy(rate.tokens(), rate.period()))
                .build();
    }

    static Optional<Duration> verdict(ConsumptionProbe probe) {
        return probe.isConsumed() ? Optional.empty() : Optional.of(Duration.ofNanos(probe.getNanosToWaitForRefill()));
    }

    /** A request for more tokens than the bucket holds can never pass: say so rather than "wait". */
    static void checkFits(ApiKey key, int tokens) {
        long burst = key.rate().map(ApiKey.Rate::burst).orElse(Long.MAX_VALUE);
        if (tokens > burst) throw new TooManyForBucketException(key.name(), tokens, burst);
    }

    /** More tokens asked at once than the key's bucket holds: no wait would make it pass. */
    public static final class TooManyForBucketException extends RuntimeException {
        TooManyForBucketException(String name, int tokens, long burst) {
            super("the request needs " + tokens + " tokens but the bucket of key " + name + " holds at most " + burst
                    + "; send smaller batches");
        }
    }
}
