package dev.runbox.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A client of Piston's {@code /api/v2/connect} over a real WebSocket (the JDK's): the messages the
 * server sends, in order, and how it closed.
 */
public final class PistonSocket implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** How a socket was closed by the server: its code and reason. */
    public record Closed(int code, String reason) {
    }

    private final BlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();
    private final CompletableFuture<Closed> closed = new CompletableFuture<>();
    private WebSocket ws;

    public static PistonSocket open(HttpClient client, URI uri, Optional<String> key) {
        PistonSocket s = new PistonSocket();
        WebSocket.Builder b = client.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
        key.ifPresent(k -> b.header("Authorization", "Bearer " + k));
        try {
            s.ws = b.buildAsync(uri, s.listener()).get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new Refused(e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError("no WebSocket to " + uri + ": " + e, e);
        }
        return s;
    }

    /** The server refused the upgrade (for instance 401 without an API key). */
    public static final class Refused extends RuntimeException {
        Refused(Throwable cause) {
            super(String.valueOf(cause), cause);
        }
    }

    private WebSocket.Listener listener() {
        return new WebSocket.Listener() {
            private final StringBuilder text = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                text.append(data);
                if (last) {
                    try {
                        messages.add(JSON.readTree(text.toString()));
                    } catch (IOException e) {
                        messages.add(JSON.createObjectNode().put("type", "not JSON").put("text", text.toString()));
                    }
                    text.setLength(0);
                }
                w.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket w, int code, String reason) {
                closed.complete(new Closed(code, reason));
                return null;
            }

            @Override
            public void onError(WebSocket w, Throwable error) {
                closed.completeExceptionally(error);
            }
        };
    }

    public void send(ObjectNode message) {
        ws.sendText(message.toString(), true).join();
    }

    public void stdin(String data) {
        send(JSON.createObjectNode().put("type", "data").put("stream", "stdin").put("data", data));
    }

    /** The next message, waiting up to {@code wait}; fails when none came. */
    public JsonNode next(Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        for (;;) {
            JsonNode m = messages.poll(50, TimeUnit.MILLISECONDS);
            if (m != null) return m;
            // a closed socket sends nothing more: no use waiting out the deadline
            if (closed.isDone() && messages.isEmpty()) {
                throw new AssertionError("no message: the socket is closed: " + (closed.isCompletedExceptionally() ? "with an error" : closed.getNow(null)));
            }
            if (System.nanoTime() > deadline) throw new AssertionError("no message within " + wait);
        }
    }

    /** The next message that is not output ({@code data}), appending each output's text to {@code out} or {@code err}. */
    public JsonNode nextNotData(Duration wait, StringBuilder out, StringBuilder err) throws InterruptedException {
        for (;;) {
            JsonNode m = next(wait);
            if (!"data".equals(m.path("type").asText())) return m;
            ("stdout".equals(m.path("stream").asText()) ? out : err).append(m.path("data").asText());
        }
    }

    /** Reads output until stdout holds {@code expected}; fails on another kind of message first. */
    public void awaitStdout(String expected, StringBuilder out, StringBuilder err, Duration wait) throws InterruptedException {
        while (!out.toString().contains(expected)) {
            JsonNode m = next(wait);
            if (!"data".equals(m.path("type").asText())) {
                throw new AssertionError("waiting for stdout " + expected + " (have " + out + ", stderr " + err + "), got " + m);
            }
            ("stdout".equals(m.path("stream").asText()) ? out : err).append(m.path("data").asText());
        }
    }

    /** How the server closed the socket, waiting up to {@code wait}. */
    public Closed awaitClosed(Duration wait) throws Exception {
        return closed.get(wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        if (ws != null && !ws.isOutputClosed()) ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
    }
}
