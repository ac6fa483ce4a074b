package dev.runbox.judge;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * testlib's conventions for a checker's verdict (Codeforces/Polygon): the exit status says it —
 * 0 OK, 1 wrong answer, 2 presentation error, 3 FAIL (the checker found the problem itself broken: a
 * bad answer file, a bug), 7 points — and stderr carries its comment. With 7, testlib's
 * {@code quitp(score, message)} writes {@code points <score> <message>}; Runbox takes the score as the
 * share of the test's points earned, from 0 to 1. Any other exit status is not testlib's, so the checker
 * is taken to have failed.
 */
public final class Testlib {

    public static final int OK = 0;
    public static final int WA = 1;
    public static final int PE = 2;
    public static final int FAIL = 3;
    public static final int POINTS = 7;
    private static final Pattern POINTS_LINE = Pattern.compile("^\\s*points\\s+([-+]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][-+]?\\d+)?)");

    private Testlib() {
    }

    /** The verdict of a checker that exited with {@code exitCode}, having written {@code stderr}. */
    public static CheckerVerdict verdict(int exitCode, String stderr) {
        String comment = stderr.strip();
        return switch (exitCode) {
            case OK -> new CheckerVerdict(TestStatus.OK, 1, comment, null);
            case WA -> new CheckerVerdict(TestStatus.WA, 0, comment, "wrong answer: " + comment);
            case PE -> new CheckerVerdict(TestStatus.PE, 0, comment, "presentation error: " + comment);
            case FAIL -> CheckerVerdict.failed("it said FAIL (exit status 3): " + comment, comment);
            case POINTS -> points(comment);
            default -> CheckerVerdict.failed("exit status " + exitCode + " is no testlib verdict (0 OK, 1 WA, 2 PE, 3 FAIL, 7 points)", comment);
        };
    }

    private static CheckerVerdict points(String comment) {
        Matcher m = POINTS_LINE.matcher(comment);
        if (!m.find()) return CheckerVerdict.failed("exit status 7 (points) without \"points <score>\" on stderr", comment);
        double score = Double.parseDouble(m.group(1));
        if (!(score >= 0 && score <= 1)) {
            return CheckerVerdict.failed("points " + m.group(1) + " is outside 0 to 1 (the share of the test's points)", comment);
        }
        TestStatus status = score == 1 ? TestStatus.OK : TestStatus.PARTIAL;
        return new CheckerVerdict(status, score, comment,
                status == TestStatus.OK ? null : String.format(Locale.ROOT, "partial: %s of the test's points: %s", m.group(1), comment));
    }
}
