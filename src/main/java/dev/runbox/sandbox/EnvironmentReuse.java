package dev.runbox.sandbox;

/**
 * Whether a sandbox's environments serve more than one run ({@code sandbox-reuse}), and how many at
 * most ({@code sandbox-max-runs}): one policy for every backend. An environment that is reused is
 * reset between runs, and one whose reset is in any doubt is destroyed instead (each backend's
 * environment says how); off, every run has an environment of its own.
 */
public record EnvironmentReuse(boolean on, int maxRuns) {
    public static final EnvironmentReuse OFF = new EnvironmentReuse(false, 1);
    /** The defaults of {@code sandbox-reuse} and {@code sandbox-max-runs}. */
    public static final EnvironmentReuse DEFAULT = new EnvironmentReuse(true, 100);

    public EnvironmentReuse {
        if (maxRuns < 1) throw new IllegalArgumentException("sandbox-max-runs must be at least 1, got " + maxRuns);
    }

    /** Runs an environment serves: {@link #maxRuns} with reuse, else 1. */
    public int runsPerEnvironment() {
        return on ? maxRuns : 1;
    }
}
