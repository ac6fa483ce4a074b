package dev.runbox.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runbox.config.RunboxConfig;
import dev.runbox.job.ExecutionResult;
import dev.runbox.job.SubmissionId;
import dev.runbox.keys.ApiKey;
import dev.runbox.language.LanguageRegistry;
import dev.runbox.live.LiveChannels;
import dev.runbox.live.LiveLink;
import dev.runbox.queue.JobQueue;
import dev.runbox.registry.WorkerRegistry;
import dev.runbox.store.ResultStore;
import io.javalin.http.Context;
import io.javalin.websocket.WsContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * Runbox's own submission path, for the compatibility layers (the Judge0 and Piston APIs in
 * {@code dev.runbox.compat}): a layer translates its request into the body of POST /execute and its
 * answer from the stored result (or, for a live run, from its live channel), and everything between is what POST /execute does — the same
 * validation, API-key charge and visibility, queue, store, cache, pushed results and callbacks. So a
 * layer works identically embedded and with Redis, and there is no second way for a job to run.
 */
public final class SubmissionGateway {

    private static final Logger log = LoggerFactory.getLogger(SubmissionGateway.class);

    private final RunboxConfig config;
    private final LanguageRegistry languages;
    private final Submissions submissions;
    private final ResultStore store;
    private final ResultPush push;
    private final Callbacks callbacks;
    private final KeyGate keys;
    private final RecentSubmissions recent;
    private final JobQueue queue;
    private final WorkerRegistry workers;
    private final Executor executor;
    private final WaitForResult waiter;
    private final LiveChannels live;

    SubmissionGateway(RunboxConfig config, LanguageRegistry languages, Submissions submissions, ResultStore store, ResultPush push,
                      Callbacks callbacks, KeyGate keys, RecentSubmissions recent, JobQueue queue, WorkerRegistry workers,
                      Executor executor, LiveChannels live) {
        this.live = live;
        this.config = config;
        this.languages = languages;
        this.submissions = submissions;
        this.store = store;
        this.push = push;
        this.callbacks = callbacks;
        this.keys = keys;
        this.recent = recent;
        this.queue = queue;
        this.workers = workers;
        this.executor = executor;
        this.waiter = new WaitForResult(push, store, executor);
    }

    public RunboxConfig config() {
        return config;
    }

    public LanguageRegistry languages() {
        return languages;
    }

    /** The request body as JSON: 415, 413 or 400 ({@link Problem}) as for POST /execute. */
    public JsonNode readJson(Context ctx) {
        return JsonBody.read(ctx, HttpApi.maxBodyBytes(config));
    }

    /** Validates a body of POST /execute; a refused one is a {@link Problem} (400) naming Runbox's fields. */
    public ExecuteRequest parse(JsonNode runboxBody) {
        return ExecuteRequest.parse(runboxBody, config, languages);
    }

    /** Takes {@code runs} tokens of the caller's key (429 when its rate is spent); nothing without keys. */
    public void charge(Context ctx, int runs) {
        keys.charge(ctx, runs);
    }

    /** Queues (or answers from the cache) the request as the caller's: its first result. */
    public ExecutionResult accept(Context ctx, ExecuteRequest req) {
        ExecutionResult first = submissions.accept(req, KeyGate.caller(ctx));
        SubmissionMdc.put(first.submissionId());
        log.info("accepted {} ({}) through {}: {}", first.submissionId(), req.language(), ctx.path(), first.status());
        return first;
    }

    /**
     * Accepts {@code runboxBody}, a body of POST /execute, as {@code ctx}'s caller (its key charged one
     * run) and completes with its final result, or with the current one once {@code max-wait-sec} passed.
     * A refused request is a {@link Problem}.
     */
    public CompletableFuture<ExecutionResult> runToEnd(Context ctx, JsonNode runboxBody) {
        charge(ctx, 1);
        ExecutionResult first = accept(ctx, parse(runboxBody));
        return waiter.result(first.submissionId(), config.maxWait());
    }

    /** Who opened a WebSocket, as the API keys found at its upgrade (no one in particular without keys). */
    public static final class Caller {
        private final Optional<ApiKey> key;

        private Caller(Optional<ApiKey> key) {
            this.key = key;
        }
    }

    public Caller caller(WsContext ctx) {
        return new Caller(KeyGate.callerOf(ctx));
    }

    /**
     * Accepts {@code runboxBody}, a body of POST /execute, as a live run of {@code caller} (its key
     * charged one run, as any submission): queued like any other, never answered from the cache; its
     * stdin and output then go through {@link #liveClient}. A refused request is a {@link Problem}.
     *
     * @param through the path it came by, for the log
     */
    public ExecutionResult acceptLive(Caller caller, String through, JsonNode runboxBody) {
        keys.charge(caller.key, 1);
        ExecuteRequest req = parse(runboxBody);
        ExecutionResult first = submissions.accept(req, caller.key, true);
        SubmissionMdc.put(first.submissionId());
        log.info("accepted live run {} ({}) through {}", first.submissionId(), req.language(), through);
        return first;
    }

    /** The client's end of the live run {@code id}'s channel. */
    public LiveLink liveClient(SubmissionId id) {
        return live.client(id);
    }

    /** The current result of {@code id}, empty when unknown, expired, or (with keys) another key's. */
    public Optional<ExecutionResult> find(Context ctx, SubmissionId id) {
        if (!keys.visible(KeyGate.caller(ctx), id)) return Optional.empty();
        return store.get(id);
    }

    /** Completes with the final result of {@code id} (see {@link ResultPush#whenFinal}: attach stages with *Async). */
    public CompletableFuture<ExecutionResult> whenFinal(SubmissionId id) {
        return push.whenFinal(id);
    }

    /** Where a layer writes answers completed by pushed results (never the store's thread). */
    public Executor executor() {
        return executor;
    }

    /**
     * Checks a callback URL as POST /execute's {@code callback_url} is checked.
     *
     * @return the URL, or empty with the reason in {@code why} (first element)
     */
    public Optional<URI> checkCallback(String url, List<String> why) {
        try {
            return Optional.of(CallbackTargets.check(url, config));
        } catch (CallbackTargets.Refused e) {
            why.add(e.getMessage());
            return Optional.empty();
        }
    }

    /** Sends the final result of {@code id} to {@code url} with {@code method}, signed and retried as Runbox's callbacks are. */
    public void deliverWhenFinal(SubmissionId id, URI url, String method, Function<ExecutionResult, byte[]> body) {
        callbacks.deliverWhenFinal(id, new Callbacks.Delivery(url, method, body));
    }

    /** The ids this API process accepted lately that the caller may see, newest first (at most RecentSubmissions keeps). */
    public List<SubmissionId> recent(Context ctx) {
        return recent.ids(id -> keys.visible(KeyGate.caller(ctx), id));
    }

    /** Forgets a final result now rather than at its TTL. */
    public void delete(SubmissionId id) {
        store.delete(id);
    }

    /** Jobs waiting in the queue. */
    public int queueDepth() {
        return queue.depth();
    }

    /** The workers that sent a heartbeat lately. */
    public WorkerRegistry.Snapshot workers() {
        return workers.list();
    }
}
