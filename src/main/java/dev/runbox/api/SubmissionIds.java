package dev.runbox.api;

import dev.runbox.config.RunboxConfig;
import dev.runbox.job.ExecutionResult;
import dev.runbox.job.SubmissionId;
import dev.runbox.store.ResultStore;

import java.util.List;
import java.util.Map;

/** Submission ids as they come in a path or a query: 400 for a malformed one, 404 for an unknown one. */
final class SubmissionIds {
    private SubmissionIds() {
    }

    static SubmissionId parse(String raw) {
        return SubmissionId.parse(raw).orElseThrow(() -> new Problem(400, "invalid-id", "Invalid submission id",
                "a submission id is a lower-case UUID such as 3f0c2a1e-…", List.of(new Problem.FieldError("submission_id",
                "is not a UUID")), Map.of()));
    }

    static ExecutionResult find(ResultStore store, SubmissionId id, RunboxConfig config) {
        return store.get(id).orElseThrow(() -> unknown(id, config));
    }

    /** The 404 of an id that does not exist, or (with API keys) is another key's. */
    static Problem unknown(SubmissionId id, RunboxConfig config) {
        return Problem.of(404, "unknown-submission", "Unknown submission",
                "no result for " + id + ": it never existed or expired after " + config.resultTtl().toSeconds() + " s");
    }
}
