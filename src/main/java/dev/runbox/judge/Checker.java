package dev.runbox.judge;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * How a test's output is judged against its expected output: one of the built-in rules.
 *
 * @param builtin the rule
 * @param absTol  for {@link Builtin#FLOAT}: numbers within this absolute difference are equal
 * @param relTol  for {@link Builtin#FLOAT}: numbers within this share of the expected value are equal
 */
public record Checker(Builtin builtin, double absTol, double relTol) {

    /** Tolerance of {@code float} when the request gives none: Codeforces' {@code rcmp6}. */
    public static final double DEFAULT_TOLERANCE = 1e-6;
    /** The rule of a judged submission that names none: the rule of {@code expected_output}. */
    public static final Checker DEFAULT = new Checker(Builtin.LINES, DEFAULT_TOLERANCE, DEFAULT_TOLERANCE);

    public enum Builtin {
        /** Byte for byte (as UTF-8 text). */
        EXACT,
        /** Whitespace at the end of lines and empty lines at the end do not count. */
        LINES,
        /** The same whitespace-separated tokens. */
        TOKENS,
        /** Tokens; numbers equal within abs_tol or rel_tol. */
        FLOAT,
        /** The same lines (as {@link #LINES} trims them), in any order. */
        UNORDERED_LINES;

        @JsonValue
        public String wire() {
            return name().toLowerCase();
        }

        @JsonCreator
        public static Builtin of(String wire) {
            for (Builtin b : values()) if (b.wire().equals(wire)) return b;
            throw new IllegalArgumentException("unknown checker: " + wire);
        }
    }
}
