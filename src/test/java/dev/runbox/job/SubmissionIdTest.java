package dev.runbox.job;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SubmissionIdTest {

    private static final String CANONICAL = "0f8fad5b-d9cb-469f-a165-70867728950e";

    @Test
    void canonical_lower_case_uuid_is_parsed() {
        assertThat(SubmissionId.parse(CANONICAL))
                .contains(new SubmissionId(UUID.fromString(CANONICAL)));
    }

    @Test
    void parsed_id_prints_as_it_was_written() {
        assertThat(SubmissionId.parse(CANONICAL)).map(SubmissionId::toString).contains(CANONICAL);
    }

    @Test
    void random_id_round_trips_through_its_text() {
        SubmissionId id = SubmissionId.random();
        assertThat(SubmissionId.parse(id.toString())).contains(id);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {
            "0F8FAD5B-D9CB-469F-A165-70867728950E",      // upper case
            "0f8fad5b-d9cb-469f-a165-70867728950E",      // one upper-case digit
            "{0f8fad5b-d9cb-469f-a165-70867728950e}",    // braces
            "urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e",
            "../etc/passwd",
            "0f8fad5b-d9cb-469f-a165-70867728950e/../../etc/passwd",
            "0f8fad5b-d9cb-469f-a165-70867728950e0",     // 37 characters
            "0f8fad5b-d9cb-469f-a165-70867728950",       // 35 characters
            "0f8fad5bd9cb469fa16570867728950e",          // no dashes
            "0f8fad5b-d9cb-469f-a16570867728950e-",      // dash moved
            "0f8fad5b-d9cb-469f-a165-70867728950g",      // not hex
            " 0f8fad5b-d9cb-469f-a165-70867728950e",     // leading space
            "0f8fad5b-d9cb-469f-a165-70867728950e\n",    // trailing newline
            "1-1-1-1-1",                                 // UUID.fromString accepts this
            "0f8fad5b-d9cb-469f-a165-７0867728950e",      // full-width digit
            "   "})
    void anything_but_the_canonical_form_is_not_an_id(String text) {
        assertThat(SubmissionId.parse(text)).isEmpty();
    }

    @Test
    void null_uuid_is_rejected() {
        assertThatThrownBy(() -> new SubmissionId(null)).isInstanceOf(IllegalArgumentException.class);
    }
}
