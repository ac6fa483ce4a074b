package dev.runbox.compat.piston;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runbox.api.Problem;
import dev.runbox.api.SubmissionGateway;
import dev.runbox.job.ExecutionResult;
import dev.runbox.job.SubmissionId;
import dev.runbox.live.LiveLink;
import dev.runbox.live.LiveMessage;
import io.javalin.config.JavalinConfig;
import io.javalin.websocket.WsCloseContext;
import io.javalin.websocket.WsConnectContext;
import io.javalin.websocket.WsContext;
import io.javalin.websocket.WsMessageContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Piston v2's WebSocket API, {@code /api/v2/connect}: an interactive run whose stdin the client sends
 * while it runs, and whose output it gets as it comes, with Piston's messages and close codes.
 *
 * <p>The client sends {@code init} (the body of {@code POST /execute}: language, version, files, args,
 * stdin, limits) within a second, else the socket is closed with 4001; then any number of
 * {@code {"type":"data","stream":"stdin","data":…}} and {@code {"type":"signal","signal":"SIGINT"}}.
 * The server answers {@code runtime} (language, version), then per stage {@code stage}, {@code data}
 * (stdout, stderr) and {@code exit} (code, signal), and closes with 4999 "Job Completed" after the
 * last one. Errors are {@code {"type":"error","message":…}} and close 4002; 4000 is a second init,
 * 4003 input before init, 4004 data for a stream other than stdin, 4005 a signal it does not take.
 *
 * <p>The run is a Runbox submission like any other (the same checks, API key charge, queue, worker,
 * sandbox and stored result, its id in the log), accepted as a live run ({@code dev.runbox.live}):
 * only its stdin and output travel through its live channel, so it works the same embedded and with
 * API servers and workers apart (Redis). A client that leaves has its program killed. What differs
 * from Piston: the compiler's output comes as one {@code data} message on stderr when the compile has
 * ended, not as it is written; the signals a client may send are those of {@link LiveMessage#SIGNALS}; and a
 * run is bounded by Runbox's limits (its wall time limit is twice its CPU time limit).
 */
final class PistonConnect {

    private static final Logger log = LoggerFactory.getLogger(PistonConnect.class);
    static final int ALREADY_INITIALIZED = 4000;
    static final int INITIALIZATION_TIMEOUT = 4001;
    static final int NOTIFIED_ERROR = 4002;
    static final int NOT_YET_INITIALIZED = 4003;
    static final int ONLY_STDIN = 4004;
    static final int INVALID_SIGNAL = 4005;
    static final int JOB_COMPLETED = 4999;
    private static final Duration INIT_WAIT = Duration.ofSeconds(1);
    private static final Duration RECEIVE_WAIT = Duration.ofMillis(500);
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private final SubmissionGateway gateway;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(daemon("piston-connect-timer"));
    /** One thread per live socket relays its run's output (it blocks reading the channel). */
    private final ExecutorService relays = Executors.newCachedThreadPool(daemon("piston-connect"));

    PistonConnect(SubmissionGateway gateway) {
        this.gateway = gateway;
    }

    void install(JavalinConfig c, String path) {
        c.routes.ws(path, ws -> {
            ws.onConnect(ctx -> connected(ctx, path));
            ws.onMessage(this::message);
            ws.onClose(this::closed);
            ws.onError(ctx -> log.debug("Piston socket {}: {}", ctx.sessionId(), String.valueOf(ctx.error())));
        });
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /** One socket. */
    private final class Session {
        final WsContext ctx;
        final SubmissionGateway.Caller caller;
        final String path;
        volatile SubmissionId id;
        volatile LiveLink link;
        /** The socket is closed, or being closed. */
        volatile boolean ended;
        /** The run's last message came. */
        volatile boolean runEnded;
        volatile boolean finalStored;
        /** UTF-8 bytes of stdin sent so far: at most max-stdin-bytes, as a job's stdin. */
        long stdinBytes;

        Session(WsContext ctx, String path) {
            this.ctx = ctx;
            this.caller = gateway.caller(ctx);
            this.path = path;
        }

        synchronized void send(Map<String, Object> message) {
            if (ended) return;
            try {
                ctx.send(JSON.writeValueAsString(message));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("a message always serializes", e);
            } catch (RuntimeException e) {
                log.debug("Piston socket {}: send failed: {}", ctx.sessionId(), e.toString());
            }
        }

        synchronized void close(int code, String reason) {
            if (ended) return;
            ended = true;
            try {
                ctx.closeSession(code, reason);
            } catch (RuntimeException e) {
                log.debug("Piston socket {}: close failed: {}", ctx.sessionId(), e.toString());
            }
        }

        void fail(String message) {
            send(Map.of("type", "error", "message", message));
            close(NOTIFIED_ERROR, "Notified Error");
        }
    }

    private void connected(WsConnectContext ctx, String path) {
        Session s = new Session(ctx, path);
        sessions.put(ctx.sessionId(), s);
        timer.schedule(() -> {
            if (s.id == null) s.close(INITIALIZATION_TIMEOUT, "Initialization Timeout");
        }, INIT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void message(WsMessageContext ctx) {
        Session s = sessions.get(ctx.sessionId());
        if (s == null || s.ended) return;
        JsonNode msg;
        try {
            msg = JSON.readTree(ctx.message());
        } catch (JsonProcessingException e) {
            s.fail("the message is not valid JSON: " + e.getOriginalMessage());
            return;
        }
        String type = msg.path("type").asText("");
        switch (type) {
            case "init" -> init(s, msg);
            case "data" -> {
                if (s.id == null) s.close(NOT_YET_INITIALIZED, "Not yet initialized");
                else if (!"stdin".equals(msg.path("stream").asText())) s.close(ONLY_STDIN, "Can only write to stdin");
                else if (msg.path("data").isTextual()) stdin(s, msg.get("data").textValue());
                else s.fail("data must be a string");
            }
            case "signal" -> {
                if (s.id == null) s.close(NOT_YET_INITIALIZED, "Not yet initialized");
                else if (!isSignal(msg.path("signal").asText())) s.close(INVALID_SIGNAL, "Invalid signal");
                else sendToRun(s, LiveMessage.signal(msg.get("signal").asText().substring(3)));
            }
            default -> {
                // Piston ignores a message of another type
            }
        }
    }

    /** Piston names signals with SIG: those of {@link LiveMessage#SIGNALS}. */
    private static boolean isSignal(String name) {
        return name.startsWith("SIG") && LiveMessage.SIGNALS.contains(name.substring(3));
    }

    private void init(Session s, JsonNode msg) {
        if (s.id != null) {
            s.close(ALREADY_INITIALIZED, "Already Initialized");
            return;
        }
        PistonRequest req;
        ExecutionResult first;
        try {
            req = PistonRequest.parse(msg, gateway.config(), gateway.languages());
            ObjectNode body = req.runboxBody().deepCopy();
            body.put("stdin_data", ""); // a live run's stdin comes through its channel
            try {
                first = gateway.acceptLive(s.caller, s.path, body);
            } catch (Problem p) {
                throw p.errors().isEmpty() ? p : PistonRequest.invalid(req.pistonMessage(p));
            }
        } catch (Problem p) {
            s.fail(p.getMessage());
            return;
        } catch (RuntimeException e) {
            // the queue or store unreachable (Redis down): the client may try again
            log.warn("a Piston live run could not be accepted: {}", e.getMessage());
            s.fail("the run could not be queued: " + e.getMessage());
            return;
        }
        SubmissionId id = first.submissionId();
        s.link = gateway.liveClient(id);
        s.id = id;
        if (s.ended) {
            // the socket closed while the run was being accepted: closed() saw no link, so the hangup is sent here
            s.link.send(LiveMessage.hangup());
            s.link.close();
            return;
        }
        s.send(Map.of("type", "runtime", "language", req.language().id(), "version", req.version().toString()));
        JsonNode stdin = msg.get("stdin");
        if (stdin != null && stdin.isTextual() && !stdin.textValue().isEmpty()) stdin(s, stdin.textValue());
        gateway.whenFinal(id).thenRun(() -> s.finalStored = true);
        relays.execute(() -> relay(s));
    }

    /** Passes input to the run, up to max-stdin-bytes in all (the bound of a job's stdin): past it the socket is closed. */
    private void stdin(Session s, String data) {
        long max = gateway.config().maxStdinBytes();
        synchronized (s) {
            s.stdinBytes += data.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        }
        if (s.stdinBytes > max) {
            s.fail("stdin: more than " + max + " bytes were sent (max-stdin-bytes)");
            return;
        }
        sendToRun(s, LiveMessage.stdin(data));
    }

    private void sendToRun(Session s, LiveMessage m) {
        try {
            s.link.send(m);
        } catch (RuntimeException e) {
            s.fail("the input could not be passed on: " + e.getMessage());
        }
    }

    /** Passes the run's messages to the socket until its last one (then closes it) or until the socket closed. */
    private void relay(Session s) {
        try (LiveLink link = s.link) {
            relayUntilEnd(s, link);
        }
    }

    private void relayUntilEnd(Session s, LiveLink link) {
        try {
            boolean quietAfterFinal = false;
            while (!s.ended) {
                List<LiveMessage> got = link.receive(RECEIVE_WAIT);
                for (LiveMessage m : got) {
                    switch (m.type()) {
                        case STAGE -> s.send(Map.of("type", "stage", "stage", m.stage()));
                        case STDOUT, STDERR -> s.send(Map.of("type", "data", "stream", m.type() == LiveMessage.Type.STDOUT ? "stdout" : "stderr",
                                "data", m.data()));
                        case EXIT -> {
                            Map<String, Object> exit = new java.util.LinkedHashMap<>();
                            exit.put("type", "exit");
                            exit.put("stage", m.stage());
                            exit.put("code", m.code());
                            exit.put("signal", Signals.name(m.signal()));
                            s.send(exit);
                        }
                        case ERROR -> {
                            s.runEnded = true;
                            s.fail(m.message());
                            return;
                        }
                        default -> { }
                    }
                    if (m.last()) {
                        s.runEnded = true;
                        s.close(JOB_COMPLETED, "Job Completed");
                        return;
                    }
                }
                // the result is final yet its last message has not come (a worker that failed before it
                // could send one): say so once nothing more comes
                if (got.isEmpty() && s.finalStored) {
                    if (quietAfterFinal) {
                        s.fail("the run ended without its output reaching this server (see GET /result/" + s.id + ")");
                        return;
                    }
                    quietAfterFinal = true;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            if (s.ended) return; // the socket closed while a read was waiting
            log.warn("Piston socket {}: the live run's output stopped: {}", s.ctx.sessionId(), e.getMessage());
            s.fail("the run's output could not be read: " + e.getMessage());
        }
    }

    private void closed(WsCloseContext ctx) {
        Session s = sessions.remove(ctx.sessionId());
        if (s == null) return;
        s.ended = true; // the relay stops and closes the link
        // a client that leaves (or is closed on) before its run ended has the program killed
        if (s.link != null && !s.runEnded) {
            try {
                s.link.send(LiveMessage.hangup());
            } catch (RuntimeException e) {
                log.debug("Piston socket {}: hangup not sent: {}", ctx.sessionId(), e.toString());
            }
        }
    }
}
