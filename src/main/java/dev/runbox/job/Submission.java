package dev.runbox.job;

import java.time.Instant;

/** What a user asked to run: accepted, validated and immutable from then on. */
public record Submission(SubmissionId id, String language, String sourceCode, String stdin, Limits limits,
                         Instant createdAt) {
}
