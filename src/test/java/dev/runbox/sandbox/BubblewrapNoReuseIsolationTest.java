package dev.runbox.sandbox;

import java.util.Map;

/** The isolation contract on the default sandbox with {@code sandbox-reuse=false}: one environment per run. */
class BubblewrapNoReuseIsolationTest extends IsolationContract {
    @Override
    Map<String, String> backend() {
        return Map.of("sandbox-reuse", "false");
    }

    @Override
    String pidOneProgram() {
        return "/.runbox/init";
    }
}
