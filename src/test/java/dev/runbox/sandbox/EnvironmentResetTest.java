package dev.runbox.sandbox;

import dev.runbox.sandbox.bubblewrap.BubblewrapSandbox;
import dev.runbox.sandbox.host.SandboxHost;

import java.nio.file.Path;
import java.util.concurrent.ExecutorService;

/** The reset proof on the default sandbox (bubblewrap). */
class EnvironmentResetTest extends EnvironmentResetContract {
    @Override
    Target open(Path state, int uidBase, int prepared, EnvironmentReuse reuse, ExecutorService readers) throws Exception {
        BubblewrapSandbox s = SandboxHost.open(state, uidBase, 2, prepared, 64L << 20, 64, readers, reuse);
        return new Target() {
            @Override
            public SandboxOutcome run(RunSpec spec) throws Exception {
                return s.run(spec);
            }

            @Override
            public long environmentsMade() {
                return s.environmentsMade();
            }

            @Override
            public int readyCount() {
                return s.readyCount();
            }

            @Override
            public boolean reusesEnvironments() {
                return s.reusesEnvironments();
            }

            @Override
            public void close() {
                s.close();
            }
        };
    }
}
