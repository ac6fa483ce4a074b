package dev.runbox.judge;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Compares a program's stdout with the request's {@code expected_output} the way judges usually do:
 * whitespace at the end of each line (spaces, tabs, CR — so CRLF equals LF) and empty lines at the end
 * do not count; everything else does, including leading whitespace and blank lines in between.
 */
public final class ExpectedOutput {

    private static final Pattern TRAILING = Pattern.compile("[ \\t\\r\\f\\u000B]+$");
    private static final int SHOWN_CHARS = 60;

    private ExpectedOutput() {
    }

    /** Empty when they match; else where and how they first differ, for the result's message. */
    public static Optional<String> difference(String actual, String expected) {
        List<String> a = normalized(actual);
        List<String> e = normalized(expected);
        int n = Math.min(a.size(), e.size());
        for (int i = 0; i < n; i++) {
            if (!a.get(i).equals(e.get(i))) {
                return Optional.of("line " + (i + 1) + ": expected " + quote(e.get(i)) + ", got " + quote(a.get(i)));
            }
        }
        if (a.size() < e.size()) {
            return Optional.of("the output ended after " + a.size() + " lines; expected " + e.size()
                    + " (line " + (n + 1) + ": " + quote(e.get(n)) + ")");
        }
        if (a.size() > e.size()) {
            return Optional.of("the output has " + a.size() + " lines; expected " + e.size()
                    + " (extra line " + (n + 1) + ": " + quote(a.get(n)) + ")");
        }
        return Optional.empty();
    }

    public static List<String> normalized(String text) {
        List<String> lines = new ArrayList<>();
        for (String line : text.split("\n", -1)) lines.add(TRAILING.matcher(line).replaceAll(""));
        while (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) lines.remove(lines.size() - 1);
        return lines;
    }

    private static String quote(String line) {
        String s = line.length() <= SHOWN_CHARS ? line : line.substring(0, SHOWN_CHARS) + "…";
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\t", "\\t") + "\"";
    }
}
