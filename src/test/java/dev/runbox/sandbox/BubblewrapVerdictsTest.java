package dev.runbox.sandbox;

import java.util.Map;

/** The verdicts contract on the default sandbox (bubblewrap). */
class BubblewrapVerdictsTest extends VerdictsContract {
    @Override
    Map<String, String> backend() {
        return Map.of();
    }
}
