package dev.runbox.api;

import dev.runbox.job.ExecutionResult;
import dev.runbox.job.Limits;
import dev.runbox.job.Submission;
import dev.runbox.job.SubmissionId;
import dev.runbox.store.InMemoryResultStore;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class RecentSubmissionsTest {

    final InMemoryResultStore store = new InMemoryResultStore(Duration.ofHours(1), Clock.systemUTC());
    final RecentSubmissions recent = new RecentSubmissions(store);

    private SubmissionId accept() {
        Submission s = new Submission(SubmissionId.random(), "python", "print(1)", "",
                new Limits(Duration.ofSeconds(1), 64L << 20, 1.0), Instant.now());
        store.create(ExecutionResult.pending(s));
        recent.accepted(s.id());
        return s.id();
    }

    private List<String> listedIds() {
        return recent.list().stream().map(m -> (String) m.get("submission_id")).toList();
    }

    @Test
    void lists_newest_first_and_keeps_at_most_the_capacity() {
        List<SubmissionId> ids = new ArrayList<>();
        for (int i = 0; i < RecentSubmissions.CAPACITY + 1; i++) ids.add(accept());

        List<String> listed = listedIds();
        assertThat(listed).hasSize(RecentSubmissions.CAPACITY);
        assertThat(listed.get(0)).isEqualTo(ids.get(ids.size() - 1).toString());
        assertThat(listed).doesNotContain(ids.get(0).toString());
        Map<String, Object> first = recent.list().get(0);
        assertThat(first).containsEntry("status", "PENDING").containsEntry("language", "python").doesNotContainKey("stdout");
    }

    @Test
    void results_gone_from_the_store_are_left_out() {
        SubmissionId kept = accept();
        SubmissionId gone = accept();
        store.delete(gone);
        assertThat(listedIds()).containsExactly(kept.toString());
    }
}
