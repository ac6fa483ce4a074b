package dev.runbox.worker;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class ExecutorDecodeTest {

    private static byte[] bytes(int... b) {
        byte[] out = new byte[b.length];
        for (int i = 0; i < b.length; i++) out[i] = (byte) b[i];
        return out;
    }

    @Test
    void valid_utf8_is_decoded_unchanged() {
        String text = "héllo ✓ 𝄞 世界\n";
        assertThat(Executor.decode(text.getBytes(StandardCharsets.UTF_8))).isEqualTo(text);
    }

    @Test
    void empty_output_is_the_empty_string() {
        assertThat(Executor.decode(new byte[0])).isEmpty();
    }

    @Test
    void invalid_byte_becomes_the_replacement_character() {
        assertThat(Executor.decode(bytes('a', 0xFF, 'b'))).isEqualTo("a\uFFFDb");
    }

    @Test
    void nul_and_control_bytes_are_kept() {
        assertThat(Executor.decode(bytes('a', 0, 'b', 0x1B, 0x7F))).isEqualTo("a\u0000b\u001B\u007F");
    }

    @Test
    void sequence_cut_by_the_output_cap_ends_in_a_replacement_character() {
        // "é" is C3 A9: the cap kept only its first byte
        assertThat(Executor.decode(bytes('o', 'k', 0xC3))).isEqualTo("ok\uFFFD");
    }

    @Test
    void overlong_encoding_does_not_smuggle_a_slash() {
        // C0 AF is an overlong "/": lenient decoders turn it into a path separator
        String s = Executor.decode(bytes('.', '.', 0xC0, 0xAF, 'x'));
        assertThat(s).doesNotContain("/").startsWith("..").endsWith("x").contains("\uFFFD");
    }

    @Test
    void encoded_surrogate_yields_no_lone_surrogate() {
        // ED A0 80 would be U+D800, which UTF-8 forbids
        String s = Executor.decode(bytes('a', 0xED, 0xA0, 0x80, 'b'));
        assertThat(s.chars().anyMatch(c -> Character.isSurrogate((char) c))).isFalse();
        assertThat(s).startsWith("a\uFFFD").endsWith("b");
    }

    @Test
    void decoded_output_survives_a_utf8_round_trip() {
        byte[] hostile = bytes(0xF8, 0x88, 0x80, 0x80, 0x80, 'z', 0xF4, 0x90, 0x80, 0x80, 0xE2, 0x82);
        String s = Executor.decode(hostile);
        assertThat(new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8)).isEqualTo(s);
        assertThat(s).contains("z");
    }
}
