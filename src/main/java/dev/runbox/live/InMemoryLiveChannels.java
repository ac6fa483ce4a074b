package dev.runbox.live;

import dev.runbox.job.SubmissionId;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Live channels of one process (the embedded shape): a queue per direction. A channel is made by
 * whichever end comes first and forgotten once both ends closed it, or, should one end never come
 * (a client that left before its job was taken, in a process that then stopped taking jobs), once it
 * is older than {@code ttl}; every call sweeps those.
 */
public final class InMemoryLiveChannels implements LiveChannels {

    private final Map<SubmissionId, Channel> channels = new ConcurrentHashMap<>();
    private final Duration ttl;
    private final Clock clock;

    public InMemoryLiveChannels(Duration ttl, Clock clock) {
        this.ttl = ttl;
        this.clock = clock;
    }

    @Override
    public LiveLink client(SubmissionId id) {
        Channel c = channel(id);
        return new End(id, c, c.toRun, c.toClient);
    }

    @Override
    public LiveLink run(SubmissionId id) {
        Channel c = channel(id);
        return new End(id, c, c.toClient, c.toRun);
    }

    /** Channels not yet forgotten (for tests: nothing may be kept past its run). */
    public int size() {
        return channels.size();
    }

    private Channel channel(SubmissionId id) {
        Instant now = clock.instant();
        channels.values().removeIf(c -> c.made.plus(ttl).isBefore(now));
        return channels.computeIfAbsent(id, k -> new Channel(now));
    }

    private static final class Channel {
        final Instant made;
        final BlockingQueue<LiveMessage> toRun = new LinkedBlockingQueue<>();
        final BlockingQueue<LiveMessage> toClient = new LinkedBlockingQueue<>();
        int closedEnds;

        Channel(Instant made) {
            this.made = made;
        }
    }

    private final class End implements LiveLink {
        private final SubmissionId id;
        private final Channel channel;
        private final BlockingQueue<LiveMessage> out;
        private final BlockingQueue<LiveMessage> in;
        private boolean closed;

        End(SubmissionId id, Channel channel, BlockingQueue<LiveMessage> out, BlockingQueue<LiveMessage> in) {
            this.id = id;
            this.channel = channel;
            this.out = out;
            this.in = in;
        }

        @Override
        public void send(LiveMessage m) {
            out.add(m);
        }

        @Override
        public List<LiveMessage> receive(Duration wait) throws InterruptedException {
            LiveMessage first = in.poll(wait.toNanos(), TimeUnit.NANOSECONDS);
            if (first == null) return List.of();
            List<LiveMessage> got = new ArrayList<>();
            got.add(first);
            in.drainTo(got);
            return got;
        }

        @Override
        public void close() {
            synchronized (channel) {
                if (closed) return;
                closed = true;
                in.clear();
                if (++channel.closedEnds == 2) channels.remove(id, channel);
            }
        }
    }
}
