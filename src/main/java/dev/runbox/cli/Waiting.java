package dev.runbox.cli;

import dev.runbox.client.Result;
import dev.runbox.client.RunboxClient;
import dev.runbox.client.RunboxException;

import java.time.Duration;

/** Waits for a final result, with the spinner showing each status seen. */
final class Waiting {
    private Waiting() {
    }

    static Result await(RunboxClient client, String id, Duration timeout, Spinner spinner) throws RunboxException, InterruptedException {
        return client.await(id, timeout, r -> spinner.status(r.status()));
    }
}
