package dev.runbox.queue;

import dev.runbox.job.Submission;

/** A job handed to one worker; {@code delivery} counts from 1 and grows with each redelivery. */
public record Lease(Submission job, int delivery, String token) {
}
