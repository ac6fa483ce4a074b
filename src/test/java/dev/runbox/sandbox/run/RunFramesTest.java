package dev.runbox.sandbox.run;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** runbox-init's frames of one run (native/init.c, serve mode), read back. */
class RunFramesTest {

    private static void frame(ByteArrayOutputStream out, char tag, String data) {
        byte[] b = data.getBytes(StandardCharsets.UTF_8);
        out.write(tag);
        out.write(b.length >>> 24);
        out.write(b.length >>> 16);
        out.write(b.length >>> 8);
        out.write(b.length);
        out.writeBytes(b);
    }

    @Test
    void outputs_are_split_by_tag_and_reading_stops_at_the_end_frame_leaving_the_next_run_unread() throws IOException {
        ByteArrayOutputStream s = new ByteArrayOutputStream();
        frame(s, 'o', "hel");
        frame(s, 'e', "oops");
        frame(s, 'o', "lo");
        frame(s, 'x', "0 1234567 clean");
        frame(s, 'o', "next run");
        ByteArrayInputStream in = new ByteArrayInputStream(s.toByteArray());
        RunFrames frames = new RunFrames(in, 100, () -> { });
        assertThat(frames.call()).contains(new RunFrames.End(0, 1234567, true));
        assertThat(new String(frames.stdout().bytes(), StandardCharsets.UTF_8)).isEqualTo("hello");
        assertThat(new String(frames.stderr().bytes(), StandardCharsets.UTF_8)).isEqualTo("oops");
        assertThat(in.available()).as("the next run's frame is still there").isEqualTo(5 + "next run".length());
    }

    @Test
    void a_dirty_end_and_an_unknown_time_are_read_as_such() throws IOException {
        ByteArrayOutputStream s = new ByteArrayOutputStream();
        frame(s, 'x', "137 -1 dirty");
        assertThat(new RunFrames(new ByteArrayInputStream(s.toByteArray()), 10, () -> { }).call())
                .contains(new RunFrames.End(137, -1, false));
    }

    @Test
    void end_of_stream_without_an_end_frame_means_the_environment_died() throws IOException {
        ByteArrayOutputStream s = new ByteArrayOutputStream();
        frame(s, 'o', "partial");
        byte[] cut = java.util.Arrays.copyOf(s.toByteArray(), s.size() - 2);
        assertThat(new RunFrames(new ByteArrayInputStream(cut), 10, () -> { }).call()).isEqualTo(Optional.empty());
    }

    @Test
    void past_the_cap_the_run_is_killed_once_and_the_rest_is_read_on() throws IOException {
        ByteArrayOutputStream s = new ByteArrayOutputStream();
        frame(s, 'o', "0123456789");
        frame(s, 'o', "abcdef");
        frame(s, 'x', "0 5 clean");
        AtomicInteger kills = new AtomicInteger();
        RunFrames frames = new RunFrames(new ByteArrayInputStream(s.toByteArray()), 4, kills::incrementAndGet);
        assertThat(frames.call()).isPresent();
        assertThat(kills).hasValue(1);
        assertThat(frames.stdout().truncated()).isTrue();
        assertThat(frames.stdout().bytes()).hasSize(4);
    }

    @Test
    void anything_but_a_frame_is_refused() {
        ByteArrayOutputStream s = new ByteArrayOutputStream();
        frame(s, 'q', "?");
        assertThatThrownBy(() -> new RunFrames(new ByteArrayInputStream(s.toByteArray()), 10, () -> { }).call())
                .isInstanceOf(IOException.class);
        ByteArrayOutputStream t = new ByteArrayOutputStream();
        frame(t, 'x', "zero 0 clean");
        assertThatThrownBy(() -> new RunFrames(new ByteArrayInputStream(t.toByteArray()), 10, () -> { }).call())
                .isInstanceOf(IOException.class);
    }
}
