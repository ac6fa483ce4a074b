package dev.runbox.live;

import java.time.Duration;
import java.util.List;

/** One end of a live run's channel (see {@link LiveChannels}); used by one thread at a time for receiving. */
public interface LiveLink extends AutoCloseable {

    /** Sends {@code m} to the other end; never blocks for long (the channel keeps it until read). */
    void send(LiveMessage m);

    /**
     * The messages the other end sent since the last call, in order; waits up to {@code wait} for the
     * first, and is empty when none came.
     */
    List<LiveMessage> receive(Duration wait) throws InterruptedException;

    /** This end is done; what it would still have received is dropped. */
    @Override
    void close();
}
