package dev.runbox.compat.judge0;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class ShellWordsTest {

    @Test
    void blanks_separate_words_and_quotes_keep_them_together() {
        assertThat(ShellWords.split("  -O2   -Wall\t-DX=1 ")).contains(List.of("-O2", "-Wall", "-DX=1"));
        assertThat(ShellWords.split("a 'b c' \"d \\\"e\\\"\" f\\ g")).contains(List.of("a", "b c", "d \"e\"", "f g"));
        assertThat(ShellWords.split("'' x")).contains(List.of("", "x"));
    }

    @Test
    void nothing_is_expanded() {
        assertThat(ShellWords.split("$HOME * ; `id`")).contains(List.of("$HOME", "*", ";", "`id`"));
    }

    @Test
    void an_unclosed_quote_is_refused() {
        assertThat(ShellWords.split("a 'b")).isEqualTo(Optional.empty());
        assertThat(ShellWords.split("\"a")).isEqualTo(Optional.empty());
    }

    @Test
    void an_empty_line_has_no_words() {
        assertThat(ShellWords.split("")).contains(List.of());
    }
}
