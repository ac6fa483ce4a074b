package dev.runbox.live;

import dev.runbox.job.SubmissionId;
import dev.runbox.redis.Keys;
import dev.runbox.redis.RedisConnection;
import dev.runbox.wire.Wire;
import io.lettuce.core.RedisException;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XReadArgs;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Live channels through Redis, for API servers and workers on different machines: each direction is a
 * stream ({@link Keys#liveToRun}, {@link Keys#liveToClient}), one entry per message (field {@code m}:
 * the message in the wire shape). A send is XADD, then PEXPIRE to {@code ttl}, so a channel whose ends
 * left is gone by then at the latest; an end reads its direction with XREAD BLOCK from the last entry it
 * read, on a connection of its own (a blocking read on the shared one would hold up every other
 * command), opened on its first receive and closed with the end. Closing an end deletes the stream it
 * reads. Each command touches one key, so a Redis Cluster serves them as any other.
 */
public final class RedisLiveChannels implements LiveChannels {

    /** Longest single XREAD BLOCK; a longer receive is the caller's loop. */
    private static final Duration MAX_BLOCK = Duration.ofSeconds(1);
    private static final String FIELD = "m";

    private final RedisConnection redis;
    private final Keys keys;
    private final Duration ttl;

    public RedisLiveChannels(RedisConnection redis, Keys keys, Duration ttl) {
        this.redis = redis;
        this.keys = keys;
        this.ttl = ttl;
    }

    @Override
    public LiveLink client(SubmissionId id) {
        return new End(keys.liveToRun(id), keys.liveToClient(id));
    }

    @Override
    public LiveLink run(SubmissionId id) {
        return new End(keys.liveToClient(id), keys.liveToRun(id));
    }

    private final class End implements LiveLink {
        private final String out;
        private final String in;
        private String lastRead = "0-0";
        private RedisConnection.Blocking reader;

        End(String out, String in) {
            this.out = out;
            this.in = in;
        }

        @Override
        public void send(LiveMessage m) {
            try {
                redis.commands().xadd(out, Map.of(FIELD, Wire.write(m)));
                redis.commands().pexpire(out, ttl.toMillis());
            } catch (RedisException e) {
                throw redis.unavailable("send a live run's message", e);
            }
        }

        @Override
        public List<LiveMessage> receive(Duration wait) throws InterruptedException {
            if (Thread.interrupted()) throw new InterruptedException();
            long ms = Math.max(1, Math.min(MAX_BLOCK.toMillis(), wait.toMillis()));
            List<StreamMessage<String, String>> got;
            try {
                synchronized (this) {
                    if (reader == null) reader = redis.openBlocking(MAX_BLOCK);
                }
                got = reader.commands().xread(XReadArgs.Builder.block(ms).count(256), XReadArgs.StreamOffset.from(in, lastRead));
            } catch (RedisException e) {
                throw redis.unavailable("read a live run's messages", e);
            }
            if (got == null || got.isEmpty()) return List.of();
            List<LiveMessage> messages = new ArrayList<>(got.size());
            for (StreamMessage<String, String> e : got) {
                lastRead = e.getId();
                String json = e.getBody().get(FIELD);
                if (json != null) messages.add(Wire.read(json, LiveMessage.class));
            }
            return messages;
        }

        @Override
        public void close() {
            synchronized (this) {
                if (reader != null) reader.close();
                reader = null;
            }
            try {
                redis.commands().del(in);
            } catch (RedisException e) {
                // it expires with its TTL
            }
        }
    }
}
