package dev.runbox.sandbox;

import java.util.Map;

/**
 * Runs one program in isolation, once. The outcome says how the program ended (including every limit
 * it hit); a {@link SandboxFailure} means Runbox could not run it. When {@code run} returns or throws,
 * no process of the run is left and nothing it wrote remains.
 */
public interface Sandbox {
    SandboxOutcome run(RunSpec spec) throws SandboxFailure, InterruptedException;

    /**
     * A work dir that outlives one run (compile, then run), holding {@code files}, at most
     * {@code sizeBytes} big. Nothing remains of it once it is closed. Sandboxes that cannot keep one
     * say so with a {@link SandboxFailure}.
     */
    default WorkDir openWorkDir(Map<String, byte[]> files, long sizeBytes) throws SandboxFailure, InterruptedException {
        throw new SandboxFailure(getClass().getSimpleName() + " cannot keep a work dir across runs,"
                + " so it cannot run languages with a compile step");
    }
}
