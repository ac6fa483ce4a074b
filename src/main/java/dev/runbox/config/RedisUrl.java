package dev.runbox.config;

import java.net.URI;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Where Redis is, e.g. {@code redis://:secret@10.0.0.5:6379/0}. It may hold a password, so its
 * {@link #toString} never shows it (logs, --print-config, error messages); only {@link #value} does,
 * for the Redis client and nothing else.
 *
 * <p>Schemes: {@code redis}, {@code rediss} (TLS), {@code redis-socket} (Unix socket),
 * {@code redis-sentinel} / {@code rediss-sentinel} ({@code h1:26379,h2:26379/0#mymaster}), and
 * Runbox's {@code redis-cluster} / {@code rediss-cluster} ({@code h1:7000,h2:7001}: seed nodes of a
 * Redis Cluster).
 */
public final class RedisUrl {

    static final Set<String> SCHEMES = Set.of("redis", "rediss", "redis-socket", "redis-sentinel", "rediss-sentinel",
            "redis-cluster", "rediss-cluster");
    private static final Pattern USER_INFO = Pattern.compile("^([a-z-]+://)([^@/]*)@");

    private final String value;

    private RedisUrl(String value) {
        this.value = value;
    }

    public static RedisUrl parse(String text) {
        String v = text.trim();
        int colon = v.indexOf("://");
        String scheme = colon < 0 ? "" : v.substring(0, colon).toLowerCase();
        if (!SCHEMES.contains(scheme)) {
            throw new ConfigException("invalid setting redis-url='" + redact(v) + "': the scheme must be one of "
                    + String.join(", ", SCHEMES.stream().sorted().toList()) + " (e.g. redis://10.0.0.5:6379)");
        }
        if (v.length() == colon + 3) throw new ConfigException("invalid setting redis-url='" + redact(v) + "': no host");
        return new RedisUrl(v);
    }

    /** The URL itself, password included: for the Redis client only. */
    public String value() {
        return value;
    }

    public boolean isCluster() {
        return value.startsWith("redis-cluster://") || value.startsWith("rediss-cluster://");
    }

    /** The seed nodes of a cluster URL, as plain {@code redis[s]://[userinfo@]host:port} URLs. */
    public java.util.List<String> clusterNodes() {
        if (!isCluster()) throw new IllegalStateException("not a cluster URL: " + this);
        boolean tls = value.startsWith("rediss-");
        String rest = value.substring(value.indexOf("://") + 3);
        String userInfo = "";
        int at = rest.indexOf('@');
        if (at >= 0) {
            userInfo = rest.substring(0, at + 1);
            rest = rest.substring(at + 1);
        }
        int slash = rest.indexOf('/');
        String hosts = slash < 0 ? rest : rest.substring(0, slash);
        String prefix = (tls ? "rediss://" : "redis://") + userInfo;
        return java.util.Arrays.stream(hosts.split(",")).map(String::trim).filter(h -> !h.isEmpty())
                .map(h -> prefix + h).toList();
    }

    /** The URL with any password replaced by {@code ****}. */
    public static String redact(String url) {
        var m = USER_INFO.matcher(url);
        if (!m.find()) return url;
        String info = m.group(2);
        int colon = info.indexOf(':');
        // redis://secret@host is a password alone (Lettuce's reading); redis://user:secret@host has both
        String shown = colon < 0 ? "****" : info.substring(0, colon) + ":****";
        return m.group(1) + shown + "@" + url.substring(m.end());
    }

    /** Host and port (or socket path) only: enough to say where, in logs. */
    public String where() {
        try {
            String r = redact(value);
            if (isCluster() || r.contains("-sentinel://")) return r;
            URI u = URI.create(r);
            return u.getScheme() + "://" + (u.getHost() == null ? u.getPath() : u.getHost() + ":" + (u.getPort() < 0 ? 6379 : u.getPort()));
        } catch (IllegalArgumentException e) {
            return redact(value);
        }
    }

    @Override
    public String toString() {
        return redact(value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RedisUrl r && r.value.equals(value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }
}
