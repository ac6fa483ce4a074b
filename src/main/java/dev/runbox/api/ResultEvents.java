package dev.runbox.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.runbox.config.RunboxConfig;
import dev.runbox.job.ExecutionResult;
import dev.runbox.job.SubmissionId;
import dev.runbox.store.ResultStore;
import dev.runbox.wire.Wire;
import io.javalin.http.Context;
import io.javalin.http.sse.SseClient;
import io.javalin.http.sse.SseHandler;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code GET /result/{id}/events}: Server-Sent Events, one {@code status} event per result of the
 * submission — the current one first, then each change — ending with the final result, after which
 * the server closes the stream. Each event's data is the result JSON of GET /result/{id}. For a judged
 * submission, each test as it is first shown (finished, or skipped) is a {@code test} event of its own,
 * just before the {@code status} event of the result that shows it: every test once, in order. A comment
 * line every {@link #HEARTBEAT} keeps proxies from closing an idle stream and tells a gone client.
 *
 * <p>No thread waits for a stream: results are pushed by the store ({@link ResultPush#follow}) and
 * written on the push executor, one at a time per stream.
 */
final class ResultEvents {

    static final Duration HEARTBEAT = Duration.ofSeconds(15);
    static final String EVENT = "status";
    /** A judged submission's finished test (its result in {@code tests}), sent before the status event that first shows it. */
    static final String TEST_EVENT = "test";

    private final ResultStore store;
    private final ResultPush push;
    private final RunboxConfig config;
    private final Executor executor;
    private final ScheduledExecutorService timer;

    ResultEvents(ResultStore store, ResultPush push, RunboxConfig config, Executor executor, ScheduledExecutorService timer) {
        this.store = store;
        this.push = push;
        this.config = config;
        this.executor = executor;
        this.timer = timer;
    }

    void handle(Context ctx) throws Exception {
        SubmissionId id = SubmissionIds.parse(ctx.pathParam("id"));
        SubmissionIds.find(store, id, config);
        String accept = ctx.header("Accept");
        if (accept == null || !accept.contains("text/event-stream")) {
            throw Problem.of(406, "not-acceptable", "Not acceptable",
                    "this is a Server-Sent Events stream: send the header 'Accept: text/event-stream'");
        }
        new SseHandler(client -> stream(client, id)).handle(ctx);
    }

    private void stream(SseClient client, SubmissionId id) {
        client.keepAlive();
        AtomicReference<ResultPush.Follow> follow = new AtomicReference<>();
        AtomicReference<ScheduledFuture<?>> heartbeat = new AtomicReference<>();
        Runnable stop = () -> {
            ResultPush.Follow f = follow.getAndSet(null);
            if (f != null) f.close();
            ScheduledFuture<?> h = heartbeat.getAndSet(null);
            if (h != null) h.cancel(false);
        };
        client.onClose(stop);
        heartbeat.set(timer.scheduleAtFixedRate(() -> executor.execute(() -> {
            synchronized (client) {
                if (!client.terminated()) client.sendComment("keep-alive");
            }
        }), HEARTBEAT.toMillis(), HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS));
        int[] testsSent = {0}; // touched only by the push's one-at-a-time deliveries
        follow.set(push.follow(id, r -> send(client, r, testsSent)));
        if (client.terminated()) stop.run(); // closed while we were setting up
    }

    private static void send(SseClient client, ExecutionResult r, int[] testsSent) {
        String data = json(r);
        List<String> tests = new ArrayList<>();
        if (r.tests() != null) {
            for (int i = testsSent[0]; i < r.tests().size(); i++) tests.add(json(r.tests().get(i)));
            testsSent[0] = Math.max(testsSent[0], r.tests().size());
        }
        synchronized (client) {
            if (client.terminated()) return;
            for (String t : tests) client.sendEvent(TEST_EVENT, t);
            client.sendEvent(EVENT, data);
            if (r.status().isFinal()) client.close();
        }
    }

    private static String json(Object value) {
        try {
            return HttpApi.JSON.writeValueAsString(Wire.publicTree(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a result must serialize", e);
        }
    }
}
