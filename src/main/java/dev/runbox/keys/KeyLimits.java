package dev.runbox.keys;

import dev.runbox.job.SubmissionId;

import java.time.Duration;
import java.util.Optional;

/**
 * What API keys are allowed and own, kept where every API server of a deployment sees the same:
 * in this process ({@link InMemoryKeyLimits}) or in Redis ({@link RedisKeyLimits}).
 */
public interface KeyLimits extends AutoCloseable {

    /** Takes {@code tokens} from the key's bucket: empty when taken, else how long until they would be there (none taken). */
    Optional<Duration> take(ApiKey key, int tokens);

    /** Counts a new job of the key, unless it has {@code key.concurrent()} jobs not final already (then false). */
    boolean startJob(ApiKey key, SubmissionId id);

    /** The job is final (or was never queued): it no longer counts. Idempotent. */
    void endJob(ApiKey key, SubmissionId id);

    /** Records (or refreshes, when the result is final) which key submitted {@code id}, for as long as its result lives. */
    void own(SubmissionId id, String keyName);

    /** The name of the key that submitted {@code id}, if recorded. */
    Optional<String> owner(SubmissionId id);

    @Override
    default void close() {
    }
}
