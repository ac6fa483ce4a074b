package dev.runbox.sandbox;

import java.util.Map;

/** The isolation contract on the default sandbox (bubblewrap). */
class BubblewrapIsolationTest extends IsolationContract {
    @Override
    Map<String, String> backend() {
        return Map.of();
    }

    @Override
    String pidOneProgram() {
        return "/.runbox/init";
    }
}
