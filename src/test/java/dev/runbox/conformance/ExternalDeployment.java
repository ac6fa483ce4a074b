package dev.runbox.conformance;

import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A Runbox someone else runs, named by system properties: {@value #URL} (one base URL, or several
 * separated by commas, e.g. the API servers behind a load balancer), and optionally {@value #API_KEY},
 * {@value #OTHER_API_KEY} (a key of another owner), {@value #CALLBACK_SECRET} and {@value #SLOWDOWN}
 * (see {@link Deployment#slowdown()}). Nothing is started
 * or stopped here.
 */
final class ExternalDeployment implements Deployment {

    static final String URL = "runbox.conformance.url";
    static final String API_KEY = "runbox.conformance.api-key";
    static final String OTHER_API_KEY = "runbox.conformance.other-api-key";
    static final String CALLBACK_SECRET = "runbox.conformance.callback-secret";
    static final String SLOWDOWN = "runbox.conformance.slowdown";

    private final List<URI> bases;

    private ExternalDeployment(List<URI> bases) {
        this.bases = bases;
    }

    static ExternalDeployment fromSystemProperties() {
        String urls = System.getProperty(URL, "");
        if (urls.isBlank()) throw new IllegalStateException("set -D" + URL + "=http://host:port");
        return new ExternalDeployment(Arrays.stream(urls.split(",")).map(String::strip).filter(s -> !s.isEmpty())
                .map(s -> URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s)).toList());
    }

    private static Optional<String> property(String name) {
        return Optional.ofNullable(System.getProperty(name)).filter(s -> !s.isBlank());
    }

    @Override
    public String name() {
        return "external";
    }

    @Override
    public List<URI> apiBases() {
        return bases;
    }

    @Override
    public Optional<String> apiKey() {
        return property(API_KEY);
    }

    @Override
    public Optional<String> otherApiKey() {
        return property(OTHER_API_KEY);
    }

    @Override
    public Optional<String> callbackSecret() {
        return property(CALLBACK_SECRET);
    }

    @Override
    public double slowdown() {
        double s = Double.parseDouble(property(SLOWDOWN).orElse("1"));
        if (!(s >= 1 && s <= 20)) throw new IllegalStateException("-D" + SLOWDOWN + " must be 1 … 20, was " + s);
        return s;
    }

    @Override
    public void close() {
    }
}
