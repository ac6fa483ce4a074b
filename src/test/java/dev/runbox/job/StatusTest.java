package dev.runbox.job;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static dev.runbox.job.Status.INTERNAL_ERROR;
import static dev.runbox.job.Status.PENDING;
import static dev.runbox.job.Status.PROCESSING;
import static org.assertj.core.api.Assertions.assertThat;

class StatusTest {

    private static final Set<Status> VERDICTS = EnumSet.complementOf(EnumSet.of(PENDING, PROCESSING));

    @Test
    void only_verdicts_are_final() {
        for (Status s : Status.values()) {
            assertThat(s.isFinal()).as("%s.isFinal()", s).isEqualTo(VERDICTS.contains(s));
        }
        assertThat(VERDICTS).hasSize(9);
    }

    @ParameterizedTest
    @EnumSource(value = Status.class, names = {"PENDING", "PROCESSING"}, mode = EnumSource.Mode.EXCLUDE)
    void a_final_status_never_moves(Status fin) {
        for (Status next : Status.values()) {
            assertThat(fin.canMoveTo(next)).as("%s -> %s", fin, next).isFalse();
        }
    }

    @Test
    void nothing_moves_back_to_pending() {
        for (Status s : Status.values()) {
            assertThat(s.canMoveTo(PENDING)).as("%s -> PENDING", s).isFalse();
        }
    }

    @Test
    void pending_moves_to_processing_and_processing_to_every_verdict() {
        assertThat(PENDING.canMoveTo(PROCESSING)).isTrue();
        for (Status v : VERDICTS) {
            assertThat(PROCESSING.canMoveTo(v)).as("PROCESSING -> %s", v).isTrue();
        }
    }

    @Test
    void a_job_never_run_is_not_judged_but_may_be_given_up_as_internal_error() {
        assertThat(PENDING.canMoveTo(INTERNAL_ERROR)).isTrue();
        for (Status v : EnumSet.complementOf(EnumSet.of(PENDING, PROCESSING, INTERNAL_ERROR))) {
            assertThat(PENDING.canMoveTo(v)).as("PENDING -> %s", v).isFalse();
        }
    }

    @Test
    void a_reclaimed_job_may_be_processing_again() {
        assertThat(PROCESSING.canMoveTo(PROCESSING)).isTrue();
    }

    /** The whole table at once: a pair added or dropped anywhere fails here. */
    @Test
    void transition_table_is_exactly_the_documented_one() {
        List<String> allowed = new ArrayList<>();
        for (Status from : Status.values()) {
            for (Status to : Status.values()) {
                if (from.canMoveTo(to)) allowed.add(from + "->" + to);
            }
        }
        assertThat(allowed).containsExactlyInAnyOrder(
                "PENDING->PROCESSING", "PENDING->INTERNAL_ERROR",
                "PROCESSING->PROCESSING", "PROCESSING->OK", "PROCESSING->TLE", "PROCESSING->MLE",
                "PROCESSING->OLE", "PROCESSING->RE", "PROCESSING->CE", "PROCESSING->WA",
                "PROCESSING->INTERNAL_ERROR", "PROCESSING->CHECKER_FAILED");
    }
}
