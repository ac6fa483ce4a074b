package dev.runbox.live;

import dev.runbox.job.SubmissionId;

/**
 * Where a live run's messages travel between the API process that holds the client's connection and
 * the worker that runs the program: in this process when embedded ({@link InMemoryLiveChannels}), or
 * through Redis when the two are apart ({@link RedisLiveChannels}). A sibling of the job queue and the
 * result store, chosen with them in {@code Backends}.
 *
 * <p>A live run is a submission like any other (queued, run by whichever worker takes it, its final
 * result stored); only its stdin and output go through its channel, named by its id, while it runs.
 * Each direction keeps its messages in order and keeps them until read, so the two ends need not be
 * there at the same moment: input sent before a worker took the job waits for it, and a client's
 * {@link LiveMessage#hangup} sent before that ends the run as soon as it starts. Messages nobody reads
 * go with the channel, at the latest after the results' TTL.
 */
public interface LiveChannels {

    /** The client's end of {@code id}'s channel: it sends input and receives output. */
    LiveLink client(SubmissionId id);

    /** The run's end: it receives input and sends output. */
    LiveLink run(SubmissionId id);
}
