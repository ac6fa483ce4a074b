package dev.runbox.sandbox.cgroup;

import dev.runbox.sandbox.SandboxFailure;

/** Makes run cgroups on this host: cgroup v1 (a hierarchy per controller) or v2 (unified). */
public interface Cgroups {

    /** Run cgroups are named {@code runbox-run-<instance>-<run>}: each Runbox process sweeps only its own. */
    static String runPrefix(String instance) {
        return "runbox-run-" + instance + "-";
    }

    /** Creates the cgroup of a run with its limits set; nothing runs in it yet. */
    RunCgroup create(String runName, CgroupLimits limits) throws SandboxFailure;

    /**
     * Kills and removes run cgroups left by an earlier Runbox process that did not end cleanly.
     *
     * @return how many runs had their cgroups removed entirely (those that could not be are not counted)
     */
    int sweepStale();

    /**
     * Whether a run cgroup's memory peak can be started afresh between runs ({@link RunCgroup#resetPeak}),
     * so that one cgroup can serve several runs one after another without a run's peak showing in the
     * next run's result. Not on v2 here (memory.peak resets per open file only, kernel 6.12+, not done yet).
     */
    default boolean peakResetsPerRun() {
        return false;
    }

    /** "v1" or "v2", and where, for logs and check-host. */
    String describe();
}
