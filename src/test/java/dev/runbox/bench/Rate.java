package dev.runbox.bench;

/** Completed runs over a measuring window (warm-up excluded); failed runs are counted apart, never as runs. */
record Rate(long runs, double seconds, long failures) {

    double perSecond() {
        return runs / seconds;
    }

    Rate plus(Rate o) {
        return new Rate(runs + o.runs, seconds + o.seconds, failures + o.failures);
    }

    static final Rate ZERO = new Rate(0, 0, 0);
}
