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

    /**
     * Whether a run's memory peak can be started afresh by renewal instead: between runs, the
     * environment's idle processes move into a {@link #create fresh} cgroup and the old one is removed.
     * cgroup v2, where a new cgroup's memory.peak counts from its creation (what was charged before stays
     * with the old one, and goes to the parent with it) and a process's move is a write of its pid.
     */
    default boolean peakRenewsByMove() {
        return false;
    }

    /** "v1" or "v2", and where, for logs and check-host. */
    String describe();
}
