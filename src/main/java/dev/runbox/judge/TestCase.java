package dev.runbox.judge;

/**
 * One test of a judged submission: what the program reads, what it should print, what passing it earns.
 *
 * @param name           the request's name for it, or null
 * @param stdin          the program's standard input for this test
 * @param expectedOutput the answer the checker compares with (testlib's {@code <answer>}), or null: the
 *                       test then passes on any run that ends OK
 * @param points         what passing it earns (default 1)
 */
public record TestCase(String name, String stdin, String expectedOutput, double points) {
}
