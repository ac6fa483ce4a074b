package dev.runbox.redis;

import dev.runbox.job.SubmissionId;

/**
 * Where everything lives in Redis, under one namespace (default {@code runbox}).
 *
 * <p>Every command and script touches a single key, so each operation stays in one slot of a Redis
 * Cluster by construction. The queue's keys carry the hash tag {@code {namespace}} so they share a
 * slot (and a node) should a script ever need both; results deliberately carry no common tag, so
 * they spread over all the cluster's masters.
 *
 * <ul>
 *   <li>{@code {runbox}:jobs} — the job stream with its consumer group {@value #GROUP}; never expires.</li>
 *   <li>{@code {runbox}:workers} — a hash of worker heartbeats; never expires, silent workers are pruned.</li>
 *   <li>{@code runbox:result:<submission id>} — a hash (status, json) with the result TTL.</li>
 *   <li>{@code runbox:key-rate:<key name>}, {@code runbox:key-jobs:<key name>}, {@code runbox:owner:<submission id>} —
 *       API key limits and ownership (see {@code dev.runbox.keys.RedisKeyLimits}); all expire.</li>
 *   <li>{@code runbox:live:<submission id>:to-run}, {@code runbox:live:<submission id>:to-client} — the two
 *       streams of a live run's channel (see {@code dev.runbox.live.RedisLiveChannels}); they expire.</li>
 * </ul>
 */
public record Keys(String namespace) {

    public static final String GROUP = "workers";
    public static final Keys DEFAULT = new Keys("runbox");

    public Keys {
        if (!namespace.matches("[A-Za-z0-9_.-]{1,64}")) throw new IllegalArgumentException("bad Redis namespace: " + namespace);
    }

    public String jobs() {
        return "{" + namespace + "}:jobs";
    }

    public String workers() {
        return "{" + namespace + "}:workers";
    }

    /** The pub/sub channel on which every change of a result is announced (message: the submission id). */
    public String resultChanges() {
        return namespace + ":result-changes";
    }

    /** Token bucket of one API key (Bucket4j's state). */
    public String keyRate(String keyName) {
        return namespace + ":key-rate:" + keyName;
    }

    /** Sorted set of one API key's jobs not final yet (scored by the time they stop counting anyway). */
    public String keyJobs(String keyName) {
        return namespace + ":key-jobs:" + keyName;
    }

    /** Name of the API key that submitted a submission, with the result's TTL. */
    public String owner(SubmissionId id) {
        return namespace + ":owner:" + id;
    }

    /** The stream of a live run's input (client to run). */
    public String liveToRun(SubmissionId id) {
        return namespace + ":live:" + id + ":to-run";
    }

    /** The stream of a live run's output (run to client). */
    public String liveToClient(SubmissionId id) {
        return namespace + ":live:" + id + ":to-client";
    }

    public String result(SubmissionId id) {
        return namespace + ":result:" + id;
    }
}
