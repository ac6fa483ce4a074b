package dev.runbox.sandbox;

/**
 * Runs one program in isolation, once. The outcome says how the program ended (including every limit
 * it hit); a {@link SandboxFailure} means Runbox could not run it. When {@code run} returns or throws,
 * no process of the run is left and nothing it wrote remains.
 */
public interface Sandbox {
    SandboxOutcome run(RunSpec spec) throws SandboxFailure, InterruptedException;
}
