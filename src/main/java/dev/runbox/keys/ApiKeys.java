package dev.runbox.keys;

import dev.runbox.config.ConfigException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The API keys of the setting {@code api-keys-file}. One key per line, blank lines and {@code #}
 * comments ignored:
 * <pre>
 * # name:key            limits (all optional)
 * alice:3f1c…e9   rate=10/s burst=20 concurrent=4
 * ci:77aa…01      rate=600/m
 * 0b5e…c2                                  (no name: it is called key-&lt;line number&gt;)
 * </pre>
 * A key is 16 to 256 visible ASCII characters without {@code :}; a name is 1 to 64 of
 * {@code [A-Za-z0-9_.-]}. {@code rate=N/s|m|h} is a token bucket holding {@code burst} tokens (default
 * N); {@code concurrent=N} caps the key's jobs not final yet.
 *
 * <p>Only each key's SHA-256 digest is kept. {@link #find} compares the digest of the presented key
 * with every known digest in constant time and looks at all of them, so the time it takes tells
 * nothing about how much of a key was right. No message of this class contains a key.
 */
public final class ApiKeys {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final Pattern KEY = Pattern.compile("[\\x21-\\x7e&&[^:]]{16,256}");
    private static final Pattern RATE = Pattern.compile("(\\d{1,9})/([smh])");
    private static final Map<String, Duration> PERIODS = Map.of("s", Duration.ofSeconds(1), "m", Duration.ofMinutes(1),
            "h", Duration.ofHours(1));

    private final List<ApiKey> keys;

    private ApiKeys(List<ApiKey> keys) {
        this.keys = List.copyOf(keys);
    }

    public static ApiKeys load(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException("cannot read api-keys-file " + file + ": " + e.getMessage());
        }
        return parse(lines, file.toString());
    }

    static ApiKeys parse(List<String> lines, String where) {
        List<ApiKey> keys = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Set<String> digests = new HashSet<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            String at = where + " line " + (i + 1);
            String[] parts = line.split("\\s+");
            String first = parts[0];
            int colon = first.indexOf(':');
            String name = colon < 0 ? "key-" + (i + 1) : first.substring(0, colon);
            String secret = colon < 0 ? first : first.substring(colon + 1);
            if (!NAME.matcher(name).matches()) throw new ConfigException(at + ": a key's name is 1-64 of A-Z a-z 0-9 _ . -");
            if (!KEY.matcher(secret).matches()) {
                throw new ConfigException(at + ": a key is 16-256 visible ASCII characters without ':' (e.g. `openssl rand -hex 24`)");
            }
            Long rate = null;
            Duration period = null;
            Long burst = null;
            int concurrent = 0;
            for (int p = 1; p < parts.length; p++) {
                String[] kv = parts[p].split("=", 2);
                String value = kv.length == 2 ? kv[1] : "";
                switch (kv[0]) {
                    case "rate" -> {
                        Matcher m = RATE.matcher(value);
                        if (!m.matches() || Long.parseLong(m.group(1)) < 1) {
                            throw new ConfigException(at + ": rate must be N/s, N/m or N/h with N >= 1, not '" + value + "'");
                        }
                        rate = Long.parseLong(m.group(1));
                        period = PERIODS.get(m.group(2));
                    }
                    case "burst" -> burst = positive(at, "burst", value);
                    case "concurrent" -> concurrent = (int) Math.min(positive(at, "concurrent", value), 1_000_000);
                    default -> throw new ConfigException(at + ": unknown limit '" + kv[0] + "' (known: rate, burst, concurrent)");
                }
            }
            if (burst != null && rate == null) throw new ConfigException(at + ": burst needs a rate");
            if (!names.add(name)) throw new ConfigException(at + ": the name " + name + " is used twice");
            byte[] digest = digest(secret);
            if (!digests.add(java.util.HexFormat.of().formatHex(digest))) throw new ConfigException(at + ": the same key is listed twice");
            Optional<ApiKey.Rate> r = rate == null ? Optional.empty()
                    : Optional.of(new ApiKey.Rate(rate, period, burst == null ? rate : burst));
            keys.add(new ApiKey(name, digest, r, concurrent));
        }
        if (keys.isEmpty()) throw new ConfigException(where + " holds no key: with api-keys-file set, nobody could use the API");
        return new ApiKeys(keys);
    }

    private static long positive(String at, String what, String value) {
        try {
            long n = Long.parseLong(value);
            if (n >= 1) return n;
        } catch (NumberFormatException e) {
            // below
        }
        throw new ConfigException(at + ": " + what + " must be an integer >= 1, not '" + value + "'");
    }

    /** The key whose secret is {@code presented}, comparing against every key in constant time. */
    public Optional<ApiKey> find(String presented) {
        byte[] d = digest(presented);
        ApiKey match = null;
        for (ApiKey k : keys) {
            if (MessageDigest.isEqual(k.digest(), d)) match = k; // no early exit
        }
        return Optional.ofNullable(match);
    }

    public List<String> names() {
        return keys.stream().map(ApiKey::name).toList();
    }

    private static byte[] digest(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    @Override
    public String toString() {
        return "ApiKeys" + names();
    }
}
