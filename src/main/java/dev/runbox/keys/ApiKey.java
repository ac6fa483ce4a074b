package dev.runbox.keys;

import java.time.Duration;
import java.util.Optional;

/**
 * One API key as Runbox keeps it: its name (what logs, metrics and error messages show), the SHA-256
 * digest of the secret (the secret itself is not kept), and its limits.
 *
 * @param rate       token bucket of POST /execute and /execute/batch (a batch takes one token per
 *                   item); empty: no rate limit
 * @param concurrent most jobs of this key not final yet; 0: no quota
 */
public record ApiKey(String name, byte[] digest, Optional<Rate> rate, int concurrent) {

    /** {@code tokens} per {@code period}, refilled evenly, holding at most {@code burst}. */
    public record Rate(long tokens, Duration period, long burst) {
        public Rate {
            if (tokens < 1 || burst < 1 || period.isNegative() || period.isZero()) {
                throw new IllegalArgumentException("rate needs tokens >= 1, burst >= 1 and a period > 0");
            }
        }
    }

    @Override
    public String toString() {
        return "ApiKey[" + name + "]"; // never the digest, never the secret
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ApiKey k && k.name.equals(name);
    }

    @Override
    public int hashCode() {
        return name.hashCode();
    }
}
