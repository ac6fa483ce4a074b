package dev.runbox.judge;

/**
 * What a checker decided about one test's output.
 *
 * @param status   OK, WA, PE, PARTIAL or CHECKER_FAILED
 * @param fraction the share of the test's points earned (1 for OK, 0 unless PARTIAL otherwise)
 * @param comment  what the checker said (the test's {@code checker_output})
 * @param message  the test's {@code message}; null for OK
 */
public record CheckerVerdict(TestStatus status, double fraction, String comment, String message) {

    public static CheckerVerdict of(Checker builtin, BuiltinCheckers.Decision d) {
        return d.accepted() ? new CheckerVerdict(TestStatus.OK, 1, d.comment(), null)
                : new CheckerVerdict(TestStatus.WA, 0, d.comment(), "wrong answer (" + builtin.describe() + "): " + d.comment());
    }

    /** The same verdict, said by an interactor: its failure is the interactor's. */
    public CheckerVerdict byInteractor() {
        String prefix = "the checker failed: ";
        if (message == null || !message.startsWith(prefix)) return this;
        return new CheckerVerdict(status, fraction, comment, "the interactor failed: " + message.substring(prefix.length()));
    }

    /** The checker itself failed: the problem's fault. */
    public static CheckerVerdict failed(String why, String comment) {
        return new CheckerVerdict(TestStatus.CHECKER_FAILED, 0, comment, "the checker failed: " + why);
    }
}
