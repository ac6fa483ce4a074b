package dev.runbox.conformance;

import java.net.URI;
import java.util.List;
import java.util.Optional;

/**
 * A running Runbox as its users see it: the API servers to talk to (requests are spread over all of
 * them, so any of them must answer for any submission), and what it was started with that a client
 * needs to know. The conformance suite reaches a deployment through this and HTTP only.
 */
interface Deployment extends AutoCloseable {

    /** A short name for reports: {@code embedded}, {@code redis}, … */
    String name();

    /** Base URLs of the API servers, e.g. {@code http://127.0.0.1:8081}. */
    List<URI> apiBases();

    /** A valid API key, when the deployment has keys on; empty: keys off or not told. */
    Optional<String> apiKey();

    /** A second valid key, of another owner (to see that results stay private to their key). */
    Optional<String> otherApiKey();

    /** The server's {@code callback-secret}, when callbacks are on and the secret is known. */
    Optional<String> callbackSecret();

    /**
     * How many times slower than an ordinary host this deployment runs programs (1; an emulated VM
     * about 5). Limits the suite gives runs that must end OK are this many times larger, so that a
     * slow host is held to the same API, not to this machine's speed; limits meant to be reached are not.
     */
    default double slowdown() {
        return 1.0;
    }

    @Override
    void close() throws Exception;
}
