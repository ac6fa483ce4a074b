package dev.runbox.sandbox.run;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The program's own time as runbox-init measured it: from the fork that execs the program to the
 * moment init reaped it (CLOCK_MONOTONIC inside the sandbox), so that a run's wall time is the
 * program's and not that of Runbox's path around it (the job through the pipe, bwrap's pid 1, the
 * namespace teardown, the launcher's reaping, the JVM noticing the exit).
 *
 * <p>init writes "{@code <nonce> <nanoseconds>}" lines; the nonce is fresh per run and reaches init
 * inside the job only, so a line of another run, or one a program made up, never matches (see
 * native/init.c for why the program cannot reach init's report fd or memory either).
 */
public final class InitReport {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern LINE = Pattern.compile("(?m)^([0-9a-f]{32}) ([0-9]{1,18})$");

    private InitReport() {
    }

    /** A fresh nonce for one run. */
    public static String newNonce() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    static boolean isNonce(String s) {
        return s != null && s.matches("[0-9a-f]{32}");
    }

    /** The program's time in {@code report} (the lines runbox-launch copied), for this run's {@code nonce}. */
    public static Optional<Duration> programTime(String report, String nonce) {
        Matcher m = LINE.matcher(report);
        while (m.find()) {
            if (m.group(1).equals(nonce)) return Optional.of(Duration.ofNanos(Long.parseLong(m.group(2))));
        }
        return Optional.empty();
    }
}
