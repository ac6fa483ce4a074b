package dev.runbox.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs wrk (the Debian package) against one URL and reads its summary. */
final class Wrk {

    private static final Pattern RPS = Pattern.compile("Requests/sec:\\s+([\\d.]+)");
    private static final Pattern TOTAL = Pattern.compile("(\\d+) requests in");
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses:\\s+(\\d+)");
    private static final Pattern SOCKET_ERRORS = Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");

    /**
     * @param requestsPerSecond as wrk reports it
     * @param p50Ms             wrk's latency distribution (--latency)
     * @param errors            non-2xx answers plus socket errors: any makes the row fail
     */
    record Result(double requestsPerSecond, long requests, double p50Ms, double p99Ms, long errors, String command) {
    }

    static Result run(String url, int threads, int connections, double seconds) throws IOException, InterruptedException {
        List<String> cmd = List.of("wrk", "-t" + threads, "-c" + connections, "-d" + Math.max(1, Math.round(seconds)) + "s",
                "--latency", url);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new IOException("wrk failed: " + out);
        long errors = find(NON_2XX, out).map(Long::parseLong).orElse(0L);
        Matcher se = SOCKET_ERRORS.matcher(out);
        if (se.find()) for (int i = 1; i <= 4; i++) errors += Long.parseLong(se.group(i));
        return new Result(Double.parseDouble(find(RPS, out).orElseThrow(() -> new IOException("no Requests/sec in: " + out))),
                Long.parseLong(find(TOTAL, out).orElse("0")), percentileMs(out, "50%"), percentileMs(out, "99%"), errors,
                String.join(" ", cmd));
    }

    /**
     * Starts wrk POSTing {@code body} to {@code url}: each of {@code threads} threads stops after
     * about {@code perThread} requests (up to {@code connections} more may be in flight). wrk itself runs
     * on until killed: the caller watches the server (e.g. its queue depth) and destroys the process.
     */
    static Process startPosting(String url, String body, int perThread, int threads, int connections, Path scratch)
            throws IOException {
        if (body.contains("]==]")) throw new IllegalArgumentException("body cannot be quoted for Lua");
        Path script = scratch.resolve("post.lua");
        Files.writeString(script, """
                wrk.method = "POST"
                wrk.body = [==[%s]==]
                wrk.headers["Content-Type"] = "application/json"
                local sent = 0
                request = function()
                  sent = sent + 1
                  return wrk.format()
                end
                response = function(status, headers, body)
                  if sent >= %d then wrk.thread:stop() end
                end
                """.formatted(body, perThread));
        return new ProcessBuilder("wrk", "-t" + threads, "-c" + connections, "-d600s", "-s", script.toString(), url)
                .redirectErrorStream(true).redirectOutput(scratch.resolve("wrk-post.log").toFile()).start();
    }

    private static java.util.Optional<String> find(Pattern p, String text) {
        Matcher m = p.matcher(text);
        return m.find() ? java.util.Optional.of(m.group(1)) : java.util.Optional.empty();
    }

    /** A line of wrk's latency distribution, e.g. "     99%    2.10ms". */
    private static double percentileMs(String out, String label) throws IOException {
        Matcher m = Pattern.compile("(?m)^\\s+" + Pattern.quote(label) + "\\s+([\\d.]+)(us|ms|s)\\s*$").matcher(out);
        if (!m.find()) throw new IOException("no " + label + " latency in wrk output: " + out);
        double v = Double.parseDouble(m.group(1));
        return switch (m.group(2)) {
            case "us" -> v / 1000;
            case "s" -> v * 1000;
            default -> v;
        };
    }
}
