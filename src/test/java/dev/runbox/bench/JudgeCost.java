package dev.runbox.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.UUID;

/**
 * Judge mode's two targets (issue 15), over real HTTP against the embedded server.
 *
 * <p>Per-test cost: a C program that echoes its input, judged on {@code n + 1} tests and, beside it,
 * on one test, both compiled by the built-in {@code c} language. The worker's own time of a submission
 * (started_at → finished_at) is one compile plus its tests, so the difference of the two, divided by
 * {@code n}, is what one more test costs, and the one-test submission's time less that is what the
 * compile and the rest cost once. Were the program compiled per test, a test would cost a gcc run
 * (tens of ms), which the row would show. The baseline is the bare C hello spawned in the same phase.
 *
 * <p>Memory: one submission of {@code memoryTests} tests of 512 bytes in and out, and the server's RSS
 * after a full GC before and after it (its result stays in the store, as every result does for its TTL):
 * the growth against the submission's own bytes, request and result.
 */
final class JudgeCost {

    static final String ECHO_C = """
            #include <stdio.h>
            int main(void) {
                char buf[4096];
                size_t n;
                while ((n = fread(buf, 1, sizeof buf, stdin)) > 0) fwrite(buf, 1, n, stdout);
                return 0;
            }
            """;

    private JudgeCost() {
    }

    /** A judged submission of the echo program with {@code tests} tests of {@code bytes}-byte inputs. */
    static String body(int tests, int bytes) {
        ObjectNode n = HttpLoad.JSON.createObjectNode();
        // a fresh comment per submission: nothing may come from a cache
        n.put("source_code", ECHO_C + "/* " + UUID.randomUUID() + " */\n");
        n.put("language", "c");
        n.put("cache", false);
        ArrayNode list = n.putArray("tests");
        for (int i = 0; i < tests; i++) {
            StringBuilder line = new StringBuilder("test ").append(i).append(' ');
            while (line.length() < bytes - 1) line.append('x');
            line.append('\n');
            list.addObject().put("stdin", line.toString()).put("expected_output", line.toString());
        }
        return n.toString();
    }

    /** The worker's time of one judged submission, in nanoseconds; throws unless every test passed. */
    static long workerNanos(HttpLoad http, int tests, HttpLoad.Fetch fetch) throws IOException, InterruptedException {
        JsonNode r = judged(http, body(tests, 16), tests, fetch);
        return nanos(r, "finished_at") - nanos(r, "started_at");
    }

    static JsonNode judged(HttpLoad http, String body, int tests, HttpLoad.Fetch fetch) throws IOException, InterruptedException {
        JsonNode r = http.finalResult(body, fetch);
        if (!r.path("status").asText().equals("OK") || r.path("tests_passed").asInt(-1) != tests) {
            String brief = r.toString();
            throw new IOException("a judged submission of " + tests + " tests ended " + brief.substring(0, Math.min(600, brief.length())));
        }
        return r;
    }

    /**
     * The per-test row: {@code rounds} pairs of submissions ({@code n + 1} tests, 1 test), the median
     * of each, and the bare C hello's p50 of {@code bare} as the baseline.
     */
    static Row perTest(HttpLoad http, int n, int rounds, HttpLoad.Fetch fetch, long[] bare) {
        Row r = new Row("judge_per_test_cost", "judge mode", "per-test cost: C echo judged on " + (n + 1)
                + " tests vs 1 test, one submission each (" + fetch.describe() + "), worker's time difference ÷ " + n);
        try {
            long[] many = new long[rounds];
            long[] one = new long[rounds];
            for (int i = 0; i < rounds; i++) {
                many[i] = workerNanos(http, n + 1, fetch);
                one[i] = workerNanos(http, 1, fetch);
            }
            double manyMs = median(many) / 1e6;
            double oneMs = median(one) / 1e6;
            double perTestMs = (manyMs - oneMs) / n;
            double bareMs = Stats.of(bare).p50Ms();
            double onceMs = oneMs - perTestMs;
            r.value = String.format(java.util.Locale.ROOT, "%.2f ms a test; %.0f ms once a submission (its one compile)", perTestMs, onceMs);
            r.vsBaseline = String.format(java.util.Locale.ROOT, "bare C hello p50 %.2f ms: +%.2f ms", bareMs, perTestMs - bareMs);
            r.data.put("per_test_ms", perTestMs);
            r.data.put("once_per_submission_ms", onceMs);
            r.data.put("submission_" + (n + 1) + "_tests_median_ms", manyMs);
            r.data.put("submission_1_test_median_ms", oneMs);
            r.data.put("bare_c_hello_p50_ms", bareMs);
            r.data.put("rounds", rounds);
            r.check("per test over bare", perTestMs - bareMs, 1, false, " ms");
        } catch (Exception e) {
            r.fail(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        return r;
    }

    /** The memory row: RSS growth of {@code server} (after full GCs) by one submission of {@code tests} tests. */
    static Row memory(HttpLoad http, ServerProcess server, int tests, HttpLoad.Fetch fetch) {
        Row r = new Row("judge_memory", "judge mode", "server RSS growth by one judged submission of " + tests
                + " tests of 512 bytes in and out (its result kept in the store)");
        try {
            server.fullGc();
            long before = server.rssBytes();
            String body = body(tests, 512);
            JsonNode result = judged(http, body, tests, fetch);
            server.fullGc();
            long after = server.rssBytes();
            double dataMb = (body.getBytes(StandardCharsets.UTF_8).length
                    + result.toString().getBytes(StandardCharsets.UTF_8).length) / 1e6;
            double growthMb = (after - before) / 1e6;
            r.value = String.format(java.util.Locale.ROOT, "+%.1f MB RSS for %.1f MB of request and result", growthMb, dataMb);
            r.data.put("rss_before_mb", before / 1e6);
            r.data.put("rss_after_mb", after / 1e6);
            r.data.put("rss_growth_mb", growthMb);
            r.data.put("request_and_result_mb", dataMb);
            // "grows by the tests' own data, not more": at most three copies of it (the request, the job,
            // the stored result all hold it), past the few MB a full GC leaves to chance
            r.check("growth", growthMb, 3 * dataMb + 8, false, " MB (3 × the data + 8)");
        } catch (Exception e) {
            r.fail(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        return r;
    }

    private static double median(long[] values) {
        long[] s = values.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2.0;
    }

    private static long nanos(JsonNode result, String field) {
        Instant t = Instant.parse(result.path(field).asText());
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }
}
