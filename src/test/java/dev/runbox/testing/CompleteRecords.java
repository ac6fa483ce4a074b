package dev.runbox.testing;

import dev.runbox.job.ExecutionResult;
import dev.runbox.job.Limits;
import dev.runbox.job.Status;
import dev.runbox.job.Submission;
import dev.runbox.job.SubmissionId;
import dev.runbox.judge.BoxFile;
import dev.runbox.judge.Checker;
import dev.runbox.judge.CollectedFile;
import dev.runbox.judge.TestCase;
import dev.runbox.judge.TestResult;
import dev.runbox.judge.TestStatus;
import dev.runbox.registry.WorkerStatus;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Records that cross a process or storage boundary, with every component set, recursively, to a value
 * that is not its type's default: no null, no empty string or list (and a list of strings holds one with
 * a space), no false, no zero. A component lost on the way therefore shows as a difference.
 *
 * <p>{@link #assertComplete} checks that promise by reflection over the record components, so a
 * component added to a record but not set here fails every test that uses these fixtures, instead of
 * crossing the wire untested (as compiler options, arguments, expected output and compile output once did).
 */
public final class CompleteRecords {

    private CompleteRecords() {
    }

    public static Limits limits() {
        return new Limits(Duration.ofMillis(1500), 96L << 20, 0.5);
    }

    public static Submission submission() {
        return new Submission(SubmissionId.random(), "c", "int main(void) { puts(\"hi\"); }\n", "line one\nline \"two\" ✓\n",
                limits(), Instant.parse("2030-01-02T03:04:05.123456789Z"), java.util.List.of("-O2", "-DGREETING=\"a b\""),
                java.util.List.of("a", "b c", ""), "expected output\n",
                java.util.List.of(new BoxFile("util.c", "int twice(int x) { return 2 * x; }\n", BoxFile.Encoding.UTF8),
                        new BoxFile("data.bin", "AAEC/w==", BoxFile.Encoding.BASE64)),
                java.util.List.of(new TestCase("first test", "1 2\n", "3\n", 2.5), new TestCase("second", "2 3", "5", 1)),
                new Checker(Checker.Builtin.FLOAT, 1e-9, 2e-6, new Checker.Program("python", "import sys\nsys.exit(0)\n",
                        java.util.List.of(new BoxFile("testlib.py", "def ok(): pass\n", BoxFile.Encoding.UTF8)))), true,
                java.util.List.of("out.txt", "a name with a space (never valid in a request)"),
                new Checker.Program("c", "int main(void) { return 0; }\n",
                        java.util.List.of(new BoxFile("secret.txt", "42", BoxFile.Encoding.UTF8))), true, true);
    }

    /** A final result of {@code id} (so the truncated flags are known) with every component set. */
    public static ExecutionResult result(SubmissionId id) {
        return new ExecutionResult(id, Status.WA, "c", "line 1\n\u0000nul and \"quotes\"\n", "warn: ünïcödé ✓\n", 3, 9,
                0.25, 0.125, 2048L, true, true, "output differs from the expected output at line 1",
                Instant.parse("2030-01-02T03:04:05.123456789Z"), Instant.parse("2030-01-02T03:04:06Z"),
                Instant.parse("2030-01-02T03:04:06.500Z"), "host-a/42-beef", 2, "main.c:1: warning: unused \"x\"\n", true,
                java.util.List.of(testResult()), 4, 7.5,
                java.util.List.of(new CollectedFile("out.txt", CollectedFile.State.FOUND, "AAEC", 1000L, true)));
    }

    /** A test's result with every component set. */
    public static TestResult testResult() {
        return new TestResult(3, "large \"random\" ✓", TestStatus.WA, "4\n\u0000\n", "debug: ✓\n", true, true, 1, 11, 0.5, 0.25, 4096L,
                "wrong answer (float): token 1: expected \"3\", got \"4\"", "token 1: expected \"3\", got \"4\"", 1.5);
    }

    public static ExecutionResult result() {
        return result(SubmissionId.random());
    }

    public static WorkerStatus workerStatus() {
        return new WorkerStatus("host-a/42-beef", "host-a", 42, 4, 3, 17, "running", Instant.parse("2030-01-02T03:00:00Z"),
                Duration.ofMillis(1500), Instant.parse("2030-01-02T03:04:05.678Z"));
    }

    /** Fails, naming the component, when any component of {@code record} (recursively) has a default value. */
    public static void assertComplete(Record record) {
        complete(record, record.getClass().getSimpleName());
    }

    private static void complete(Object value, String path) {
        if (value == null) {
            fail(path + " is null: CompleteRecords must set every component to a non-default value, "
                    + "so that each one is shown to cross the wire");
        } else if (value instanceof Record r) {
            for (RecordComponent c : r.getClass().getRecordComponents()) complete(component(r, c), path + "." + c.getName());
        } else if (value instanceof String s) {
            assertThat(s).as(path).isNotEmpty();
        } else if (value instanceof Collection<?> list) {
            assertThat(list).as(path).isNotEmpty();
            int i = 0;
            boolean spaced = false;
            for (Object e : list) {
                if (e instanceof String s) {
                    spaced |= s.contains(" ");
                } else {
                    complete(e, path + "[" + i + "]");
                }
                i++;
            }
            if (list.iterator().next() instanceof String) {
                assertThat(spaced).as(path + " holds a string with a space (one argv element, not split)").isTrue();
            }
        } else if (value instanceof Boolean b) {
            assertThat(b).as(path + " (false is the default)").isTrue();
        } else if (value instanceof Number n) {
            assertThat(n.doubleValue()).as(path + " (zero is the default)").isNotZero();
        } else if (value instanceof Duration d) {
            assertThat(d).as(path).isPositive();
        } else if (value instanceof Instant t) {
            assertThat(t).as(path).isNotEqualTo(Instant.EPOCH);
        } else if (!(value instanceof Enum<?>) && !(value instanceof UUID)) {
            fail(path + " is a " + value.getClass().getName() + ": add a rule for its default value to CompleteRecords");
        }
    }

    /** Asserts that {@code actual} equals {@code expected} component by component (recursively), naming the first that differs. */
    public static void assertSameComponents(Record expected, Record actual) {
        same(expected, actual, expected.getClass().getSimpleName());
        assertThat(actual).isEqualTo(expected);
    }

    private static void same(Object expected, Object actual, String path) {
        if (expected instanceof Record e && actual != null && actual.getClass() == e.getClass()) {
            for (RecordComponent c : e.getClass().getRecordComponents()) {
                same(component(e, c), component((Record) actual, c), path + "." + c.getName());
            }
        } else {
            assertThat(actual).as(path).isEqualTo(expected);
        }
    }

    private static Object component(Record r, RecordComponent c) {
        try {
            return c.getAccessor().invoke(r);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read " + c.getName() + " of " + r, e);
        }
    }
}
