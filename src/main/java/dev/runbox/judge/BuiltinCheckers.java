package dev.runbox.judge;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The built-in checkers: each compares a test's output with its expected output and says where they
 * first differ (the test's {@code checker_output}), or that they agree.
 */
public final class BuiltinCheckers {

    private static final int SHOWN_CHARS = 60;

    private BuiltinCheckers() {
    }

    /** What a checker decided: accepted or not, and its comment. */
    public record Decision(boolean accepted, String comment) {
    }

    public static Decision check(Checker checker, String output, String expected) {
        if (checker.program() != null) throw new IllegalArgumentException("a checker program is run, not compared");
        Optional<String> diff = switch (checker.builtin()) {
            case EXACT -> exact(output, expected);
            case LINES -> ExpectedOutput.difference(output, expected);
            case TOKENS -> tokens(output, expected, null);
            case FLOAT -> tokens(output, expected, checker);
            case UNORDERED_LINES -> unorderedLines(output, expected);
        };
        return diff.map(d -> new Decision(false, d)).orElseGet(() -> new Decision(true, "ok: " + agreed(checker, output)));
    }

    private static String agreed(Checker c, String output) {
        return switch (c.builtin()) {
            case EXACT -> output.length() + " characters, the same";
            case LINES, UNORDERED_LINES -> ExpectedOutput.normalized(output).size() + " lines";
            case TOKENS, FLOAT -> tokensOf(output).size() + " tokens";
        };
    }

    private static Optional<String> exact(String output, String expected) {
        if (output.equals(expected)) return Optional.empty();
        int n = Math.min(output.length(), expected.length());
        int i = 0;
        while (i < n && output.charAt(i) == expected.charAt(i)) i++;
        return Optional.of("differs at character " + (i + 1) + ": expected " + quote(tail(expected, i)) + ", got " + quote(tail(output, i)));
    }

    private static String tail(String s, int from) {
        return s.substring(from, Math.min(s.length(), from + SHOWN_CHARS));
    }

    static List<String> tokensOf(String s) {
        String t = s.strip();
        return t.isEmpty() ? List.of() : Arrays.asList(t.split("\\s+"));
    }

    /** Token by token; with a float checker, numbers within its tolerance are equal. */
    private static Optional<String> tokens(String output, String expected, Checker floats) {
        List<String> a = tokensOf(output);
        List<String> e = tokensOf(expected);
        int n = Math.min(a.size(), e.size());
        for (int i = 0; i < n; i++) {
            String got = a.get(i);
            String want = e.get(i);
            if (got.equals(want)) continue;
            if (floats != null) {
                Double x = number(got);
                Double y = number(want);
                if (x != null && y != null) {
                    if (close(x, y, floats)) continue;
                    return Optional.of(String.format(Locale.ROOT, "token %d: expected %s, got %s (differs by %.3g; abs_tol %s, rel_tol %s)",
                            i + 1, quote(want), quote(got), Math.abs(x - y), floats.absTol(), floats.relTol()));
                }
            }
            return Optional.of("token " + (i + 1) + ": expected " + quote(want) + ", got " + quote(got));
        }
        if (a.size() < e.size()) {
            return Optional.of("the output ended after " + a.size() + " tokens; expected " + e.size() + " (token " + (n + 1)
                    + ": " + quote(e.get(n)) + ")");
        }
        if (a.size() > e.size()) {
            return Optional.of("the output has " + a.size() + " tokens; expected " + e.size() + " (extra token " + (n + 1)
                    + ": " + quote(a.get(n)) + ")");
        }
        return Optional.empty();
    }

    static boolean close(double x, double y, Checker c) {
        if (Double.isNaN(x) || Double.isNaN(y)) return Double.isNaN(x) && Double.isNaN(y);
        if (x == y) return true; // the same infinity, too
        double d = Math.abs(x - y);
        return d <= c.absTol() || d <= c.relTol() * Math.abs(y);
    }

    /** A token that reads as a number (decimal, with an optional exponent), else null. */
    private static Double number(String token) {
        if (!token.matches("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?|[+-]?(inf|infinity|nan)")) return null;
        try {
            return Double.parseDouble(token.replaceAll("(?i)^([+-]?)inf(inity)?$", "$1Infinity").replaceAll("(?i)^[+-]?nan$", "NaN"));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Optional<String> unorderedLines(String output, String expected) {
        List<String> a = ExpectedOutput.normalized(output);
        List<String> e = ExpectedOutput.normalized(expected);
        Map<String, Integer> count = new HashMap<>();
        for (String l : e) count.merge(l, 1, Integer::sum);
        List<String> extra = new ArrayList<>();
        for (String l : a) {
            Integer c = count.get(l);
            if (c == null || c == 0) extra.add(l);
            else count.put(l, c - 1);
        }
        List<String> missing = new ArrayList<>();
        for (String l : e) {
            Integer c = count.get(l);
            if (c != null && c > 0) {
                missing.add(l);
                count.put(l, c - 1);
            }
        }
        if (extra.isEmpty() && missing.isEmpty()) return Optional.empty();
        StringBuilder sb = new StringBuilder("the lines differ, in any order:");
        if (!missing.isEmpty()) sb.append(" ").append(missing.size()).append(" expected line(s) missing (first: ").append(quote(missing.get(0))).append(")");
        if (!extra.isEmpty()) sb.append(" ").append(extra.size()).append(" line(s) not expected (first: ").append(quote(extra.get(0))).append(")");
        return Optional.of(sb.toString());
    }

    private static String quote(String s) {
        String shown = s.length() <= SHOWN_CHARS ? s : s.substring(0, SHOWN_CHARS) + "…";
        return "\"" + shown.replace("\\", "\\\\").replace("\"", "\\\"").replace("\t", "\\t").replace("\n", "\\n") + "\"";
    }
}
