package dev.runbox.judge;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ExpectedOutputTest {

    @Test
    void trailing_whitespace_of_lines_and_of_the_end_does_not_count() {
        assertThat(ExpectedOutput.difference("1 2 \n3\t\n\n\n", "1 2\n3")).isEmpty();
        assertThat(ExpectedOutput.difference("a\r\nb\r\n", "a\nb\n")).isEmpty();
        assertThat(ExpectedOutput.difference("", "\n \n")).isEmpty();
    }

    @Test
    void everything_else_counts_and_the_first_difference_is_named() {
        assertThat(ExpectedOutput.difference("1\n2\n", "1\n3\n")).hasValue("line 2: expected \"3\", got \"2\"");
        assertThat(ExpectedOutput.difference(" 1\n", "1\n")).isPresent(); // leading whitespace counts
        assertThat(ExpectedOutput.difference("a\n\nb\n", "a\nb\n")).isPresent(); // blank lines in between count
        assertThat(ExpectedOutput.difference("a\n", "a\nb\n")).get().asString().contains("ended after 1 lines");
        assertThat(ExpectedOutput.difference("a\nb\nc\n", "a\n")).get().asString().contains("extra line 2");
    }
}
