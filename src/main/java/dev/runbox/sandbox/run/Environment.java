package dev.runbox.sandbox.run;

import dev.runbox.sandbox.RunSpec;
import dev.runbox.sandbox.SandboxFailure;
import dev.runbox.sandbox.SandboxOutcome;

/**
 * A sandbox made before its job is known that serves up to a number of runs, each in namespaces,
 * mounts and processes of its own, with a reset between them that leaves nothing of one run to the
 * next; or, the first time anything about a run or its reset is not as it should be, no further run
 * at all. Both backends make them (bubblewrap's {@code PreparedSandbox}, Docker's
 * {@code DockerEnvironment}); what is kept across runs, and why no run can use it, each says for itself.
 * The pool ({@link SandboxPool}) and a work dir's environment ({@link WorkDirEnvironment}) use any.
 */
public interface Environment extends AutoCloseable {

    /** Makes environments of one backend. */
    interface Maker {
        /** An environment of {@code shape} for up to {@code maxRuns} runs, under a uid of its own (given back at close). */
        Environment make(SandboxShape shape, int maxRuns) throws SandboxFailure, InterruptedException;

        /** As above under {@code uid}, which its holder (a work dir) keeps after the environment is closed. */
        Environment makeAs(SandboxShape shape, int uid, int maxRuns) throws SandboxFailure, InterruptedException;
    }

    SandboxShape shape();

    /** Whether this environment may serve another run. */
    boolean reusable();

    /** Whether the next run still has something to be made ready first ({@link #prepareNextRun}). */
    boolean needsPreparing();

    /**
     * Makes the next run ready ahead of its job, off the run's path (its namespaces and mounts made, its
     * cgroup fresh). Only after the last run's checks; a failure leaves the environment unfit.
     */
    void prepareNextRun() throws SandboxFailure;

    /** Runs the job; when it returns, every process of the run is gone; afterwards {@link #reusable} says whether another may follow. */
    SandboxOutcome run(RunSpec spec) throws SandboxFailure, InterruptedException;

    /** Kills whatever is left and removes what the environment is made of. */
    @Override
    void close();
}
