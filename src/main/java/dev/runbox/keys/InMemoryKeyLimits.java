package dev.runbox.keys;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.runbox.job.SubmissionId;
import io.github.bucket4j.Bucket;

import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Key limits of one process (embedded mode): a Bucket4j bucket per key, a set of unfinished job ids
 * per key, and the owner of each submission for {@code ownerTtl} after it was last recorded.
 */
public final class InMemoryKeyLimits implements KeyLimits {

    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final Map<String, Set<SubmissionId>> jobs = new ConcurrentHashMap<>();
    private final Cache<SubmissionId, String> owners;

    public InMemoryKeyLimits(Duration ownerTtl) {
        this.owners = Caffeine.newBuilder().expireAfterWrite(ownerTtl).build();
    }

    @Override
    public Optional<Duration> take(ApiKey key, int tokens) {
        if (key.rate().isEmpty()) return Optional.empty();
        Buckets.checkFits(key, tokens);
        Bucket b = buckets.computeIfAbsent(key.name(), n -> Bucket.builder()
                .addLimit(l -> l.capacity(key.rate().get().burst()).refillGreedy(key.rate().get().tokens(), key.rate().get().period()))
                .build());
        return Buckets.verdict(b.tryConsumeAndReturnRemaining(tokens));
    }

    @Override
    public boolean startJob(ApiKey key, SubmissionId id) {
        if (key.concurrent() < 1) return true;
        Set<SubmissionId> s = jobs.computeIfAbsent(key.name(), n -> new HashSet<>());
        synchronized (s) {
            if (s.size() >= key.concurrent()) return false;
            s.add(id);
            return true;
        }
    }

    @Override
    public void endJob(ApiKey key, SubmissionId id) {
        Set<SubmissionId> s = jobs.get(key.name());
        if (s == null) return;
        synchronized (s) {
            s.remove(id);
        }
    }

    @Override
    public void own(SubmissionId id, String keyName) {
        owners.put(id, keyName);
    }

    @Override
    public Optional<String> owner(SubmissionId id) {
        return Optional.ofNullable(owners.getIfPresent(id));
    }
}
