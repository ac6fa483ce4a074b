package dev.runbox.api;

import dev.runbox.config.RunboxConfig;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Which URLs Runbox may POST results to (SSRF defence). A callback URL must be absolute http(s),
 * without user info, and its host must resolve only to public unicast addresses: every address the
 * name resolves to is checked, and the check is made again before each delivery attempt, so a name
 * that later resolves elsewhere (DNS rebinding) is refused then. Java's HTTP client resolves the name
 * through the same JVM address cache right after the check, so both see the same answer unless the
 * cache entry expires in between (milliseconds); operators who need a hard guarantee send callbacks
 * through an egress proxy that enforces the same rule.
 *
 * <p>The operator setting {@code callback-allow-private} lifts the address rule (for receivers on a
 * private network, and for tests); the URL rules stay.
 */
final class CallbackTargets {
    private CallbackTargets() {
    }

    static final int MAX_URL_LENGTH = 2048;

    /** Why a callback URL cannot be used; the message names the fix. */
    static final class Refused extends Exception {
        private final boolean transientFailure;

        Refused(String message) {
            this(message, false);
        }

        Refused(String message, boolean transientFailure) {
            super(message);
            this.transientFailure = transientFailure;
        }

        /** True when trying again later may succeed (the name did not resolve), false for a refused target. */
        boolean transientFailure() {
            return transientFailure;
        }
    }

    /** A block of addresses that no callback may reach, with its name for messages. */
    private record Block(byte[] prefix, int bits, String what) {
        static Block of(String cidr, String what) {
            String[] p = cidr.split("/");
            try {
                return new Block(InetAddress.getByName(p[0]).getAddress(), Integer.parseInt(p[1]), what);
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException(cidr, e);
            }
        }

        boolean contains(byte[] a) {
            if (a.length != prefix.length) return false;
            for (int i = 0; i < bits; i++) {
                int mask = 0x80 >>> (i % 8);
                if ((a[i / 8] & mask) != (prefix[i / 8] & mask)) return false;
            }
            return true;
        }
    }

    /** IANA special-purpose blocks (RFC 6890 and successors) beyond what InetAddress classifies. */
    private static final List<Block> BLOCKED = List.of(
            Block.of("0.0.0.0/8", "'this network'"),
            Block.of("100.64.0.0/10", "shared (carrier-grade NAT)"),
            Block.of("192.0.0.0/24", "IETF protocol assignment"),
            Block.of("192.0.2.0/24", "documentation"),
            Block.of("198.18.0.0/15", "benchmarking"),
            Block.of("198.51.100.0/24", "documentation"),
            Block.of("203.0.113.0/24", "documentation"),
            Block.of("240.0.0.0/4", "reserved or broadcast"),
            Block.of("::/96", "IPv4-compatible IPv6"),
            Block.of("64:ff9b::/96", "NAT64"),
            Block.of("64:ff9b:1::/48", "NAT64"),
            Block.of("100::/64", "discard-only"),
            Block.of("2001::/23", "IETF protocol assignment (Teredo, ORCHID…)"),
            Block.of("2001:db8::/32", "documentation"),
            Block.of("2002::/16", "6to4"),
            Block.of("fc00::/7", "unique-local"));

    /** Checks a callback URL as given in a request; returns it as a URI. */
    static URI check(String url, RunboxConfig config) throws Refused {
        if (config.callbackSecret().isEmpty()) {
            throw new Refused("callbacks are off on this server: the operator has set no callback-secret to sign them with");
        }
        if (url.length() > MAX_URL_LENGTH) throw new Refused("is " + url.length() + " characters; the maximum is " + MAX_URL_LENGTH);
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new Refused("is not a valid URL: " + e.getMessage());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) throw new Refused("must be an absolute http:// or https:// URL");
        if (uri.getHost() == null || uri.getHost().isEmpty()) throw new Refused("must name a host");
        if (uri.getRawUserInfo() != null) throw new Refused("must not contain user info (user:password@)");
        if (uri.getRawFragment() != null) throw new Refused("must not contain a #fragment");
        checkAddresses(uri, config.callbackAllowPrivate());
        return uri;
    }

    /** Resolves the URL's host and checks every address; called at submit time and before each delivery. */
    static void checkAddresses(URI uri, boolean allowPrivate) throws Refused {
        String host = uri.getHost();
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            throw new Refused("host '" + host + "' does not resolve", true);
        }
        if (allowPrivate) return;
        for (InetAddress a : addresses) {
            Optional<String> why = notPublic(a);
            if (why.isPresent()) {
                throw new Refused("host '" + host + "' resolves to " + a.getHostAddress() + ", a " + why.get()
                        + " address; callbacks to such addresses are refused (operator setting callback-allow-private)");
            }
        }
    }

    /** Why {@code a} is not a public unicast address, or empty when it is one. */
    static Optional<String> notPublic(InetAddress a) {
        if (a.isAnyLocalAddress()) return Optional.of("unspecified");
        if (a.isLoopbackAddress()) return Optional.of("loopback");
        if (a.isLinkLocalAddress()) return Optional.of("link-local");
        if (a.isSiteLocalAddress()) return Optional.of("private");
        if (a.isMulticastAddress()) return Optional.of("multicast");
        byte[] raw = a.getAddress();
        for (Block b : BLOCKED) {
            if (b.contains(raw)) return Optional.of(b.what());
        }
        return Optional.empty();
    }
}
