package dev.runbox.live;

import dev.runbox.job.SubmissionId;
import dev.runbox.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class InMemoryLiveChannelsTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
    private final InMemoryLiveChannels channels = new InMemoryLiveChannels(Duration.ofHours(1), clock);

    @Test
    void each_direction_keeps_its_messages_in_order_until_read_even_when_sent_before_the_other_end_came() throws Exception {
        SubmissionId id = SubmissionId.random();
        LiveLink client = channels.client(id);
        client.send(LiveMessage.stdin("a"));
        client.send(LiveMessage.hangup());
        LiveLink run = channels.run(id);
        assertThat(run.receive(Duration.ofSeconds(5))).containsExactly(LiveMessage.stdin("a"), LiveMessage.hangup());
        run.send(LiveMessage.stage(LiveMessage.RUN));
        run.send(LiveMessage.exit(LiveMessage.RUN, 0, null, null));
        assertThat(client.receive(Duration.ofSeconds(5))).containsExactly(LiveMessage.stage(LiveMessage.RUN),
                LiveMessage.exit(LiveMessage.RUN, 0, null, null));
        assertThat(client.receive(Duration.ofMillis(10))).isEmpty();
    }

    @Test
    void a_channel_is_forgotten_once_both_ends_closed_it_or_after_the_ttl() {
        SubmissionId id = SubmissionId.random();
        LiveLink client = channels.client(id);
        LiveLink run = channels.run(id);
        client.close();
        client.close(); // twice is once
        assertThat(channels.size()).isEqualTo(1);
        run.close();
        assertThat(channels.size()).isZero();

        channels.client(SubmissionId.random()).send(LiveMessage.hangup()); // a run end that never comes
        clock.advance(Duration.ofHours(2));
        channels.client(SubmissionId.random()).close();
        assertThat(channels.size()).as("the old one swept, the new one half closed").isEqualTo(1);
    }

    @Test
    void only_a_run_or_compile_exit_that_is_not_0_or_an_error_is_the_last_message() {
        assertThat(List.of(LiveMessage.exit(LiveMessage.RUN, 0, null, null), LiveMessage.exit(LiveMessage.COMPILE, 1, null, null),
                LiveMessage.exit(LiveMessage.COMPILE, null, 9, "killed"), LiveMessage.error("x"))).allMatch(LiveMessage::last);
        assertThat(List.of(LiveMessage.exit(LiveMessage.COMPILE, 0, null, null), LiveMessage.stage(LiveMessage.RUN),
                LiveMessage.output(LiveMessage.Type.STDOUT, LiveMessage.RUN, "x"))).noneMatch(LiveMessage::last);
    }
}
