package dev.runbox.sandbox;

import java.util.Map;

/** The verdicts contract on the default sandbox with {@code sandbox-reuse=false}: one environment per run. */
class BubblewrapNoReuseVerdictsTest extends VerdictsContract {
    @Override
    Map<String, String> backend() {
        return Map.of("sandbox-reuse", "false");
    }
}
