package dev.runbox.sandbox;

/**
 * A work dir that outlives one run, for languages with a compile step: the compile writes into it and
 * the run of what it built reads from it, each in a sandbox of its own with its own cgroup and limits.
 * Every run through it sees it read-write at {@link RunSpec#WORK_DIR}, holding the files it was opened
 * with, and runs under the same unprivileged uid. {@link #close} removes it with everything in it;
 * Runbox never reads anything a program wrote there.
 */
public interface WorkDir extends AutoCloseable {

    /**
     * Runs one program with this work dir; same guarantees as {@link Sandbox#run}, except that what it
     * wrote into the work dir is kept for the next run. {@code spec.files()} must be empty: the files
     * were placed when the work dir was opened.
     */
    SandboxOutcome run(RunSpec spec) throws SandboxFailure, InterruptedException;

    /** Removes the work dir and everything in it; safe to call twice. */
    @Override
    void close() throws SandboxFailure;
}
