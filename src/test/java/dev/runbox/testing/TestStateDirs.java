package dev.runbox.testing;

import dev.runbox.config.RunboxConfig;

import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A fresh state dir for a test's Runbox, where Runbox itself would put one: under /run, or under
 * /var/lib where /run is noexec (systemd hosts), since runbox-launch and compiled programs run from
 * it. Not created here: Runbox makes it, root-only, as it does its own.
 */
public final class TestStateDirs {

    private TestStateDirs() {
    }

    public static Path fresh() {
        return RunboxConfig.STATE_BASE.resolve("runbox-test-" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
    }
}
