package dev.runbox.judge;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.List;

/**
 * How a test's output is judged against its expected output: one of the built-in rules, or a program
 * (a testlib-style checker) when {@code program} is set.
 *
 * @param builtin the rule (unused when {@code program} is set)
 * @param absTol  for {@link Builtin#FLOAT}: numbers within this absolute difference are equal
 * @param relTol  for {@link Builtin#FLOAT}: numbers within this share of the expected value are equal
 * @param program the checker program, or null for a built-in
 */
public record Checker(Builtin builtin, double absTol, double relTol, Program program) {

    /**
     * A checker program, compiled once and run per test as testlib runs one:
     * {@code checker input.txt output.txt answer.txt} in its own sandbox.
     *
     * @param language    a language id of the server
     * @param sourceCode  its source
     * @param files       files beside it (e.g. {@code testlib.h}), as the submission's {@code files}
     */
    public record Program(String language, String sourceCode, List<BoxFile> files) {
        public Program {
            files = files == null ? List.of() : List.copyOf(files);
        }
    }

    /** A built-in checker. */
    public Checker(Builtin builtin, double absTol, double relTol) {
        this(builtin, absTol, relTol, null);
    }

    /** A checker program. */
    public static Checker program(Program program) {
        return new Checker(null, 0, 0, program);
    }

    /** The checker's name in messages: the built-in's, or {@code checker}. */
    public String describe() {
        return program != null ? "checker" : builtin.wire();
    }

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
