package dev.runbox.bench;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One line of the results table: what was measured, how it compares with the bare baseline of the
 * same run, and the target for it with met / missed-by. Numbers also go to the JSON as
 * numbers ({@link #data}).
 */
final class Row {

    enum Status {
        /** measured; no target applies */
        INFO,
        MET,
        MISSED,
        /** this build cannot run it (e.g. no Redis mode); nothing was measured */
        NOT_AVAILABLE,
        /** the measurement itself failed, or a run gave a wrong result: the benchmark failed */
        FAILED
    }

    final String id;
    final String section;
    final String title;
    Integer n;
    Double p50Ms;
    Double p99Ms;
    String value = "";
    String vsBaseline = "";
    String target = "";
    String verdict = "";
    Status status = Status.INFO;
    final Map<String, Object> data = new LinkedHashMap<>();

    Row(String id, String section, String title) {
        this.id = id;
        this.section = section;
        this.title = title;
    }

    Row latency(Stats s) {
        n = s.n();
        p50Ms = s.p50Ms();
        p99Ms = s.p99Ms();
        data.put("n", s.n());
        data.put("p50_ms", s.p50Ms());
        data.put("p99_ms", s.p99Ms());
        data.put("mean_ms", s.meanMs());
        data.put("min_ms", s.minMs());
        data.put("max_ms", s.maxMs());
        return this;
    }

    /** "×7.0 (+8.40 ms) / ×5.1 (+11.8 ms)": p50 and p99 each against the baseline's. */
    Row against(String baselineLabel, Stats subject, Stats base) {
        vsBaseline = String.format(Locale.ROOT, "p50 ×%.2f (%+.2f ms), p99 ×%.2f (%+.2f ms) vs %s",
                subject.p50Ms() / base.p50Ms(), subject.p50Ms() - base.p50Ms(),
                subject.p99Ms() / base.p99Ms(), subject.p99Ms() - base.p99Ms(), baselineLabel);
        data.put("baseline", baselineLabel);
        data.put("overhead_p50_ms", subject.p50Ms() - base.p50Ms());
        data.put("overhead_p99_ms", subject.p99Ms() - base.p99Ms());
        data.put("ratio_p50", subject.p50Ms() / base.p50Ms());
        data.put("ratio_p99", subject.p99Ms() / base.p99Ms());
        return this;
    }

    Row rate(Rate r, String unit) {
        value = String.format(Locale.ROOT, "%,.1f %s", r.perSecond(), unit);
        data.put("per_second", r.perSecond());
        data.put("runs", r.runs());
        data.put("window_sec", r.seconds());
        data.put("failures", r.failures());
        if (r.failures() > 0) fail(r.failures() + " runs failed (wrong output or status)");
        return this;
    }

    Row rateAgainst(String baselineLabel, Rate subject, Rate base) {
        double ratio = subject.perSecond() / base.perSecond();
        vsBaseline = String.format(Locale.ROOT, "%.1f%% of %s (%,.1f/s)", 100 * ratio, baselineLabel, base.perSecond());
        data.put("baseline", baselineLabel);
        data.put("baseline_per_second", base.perSecond());
        data.put("ratio", ratio);
        return this;
    }

    /** A target "measured ≤ limit" (or ≥ when {@code atLeast}); several checks on one row combine. */
    Row check(String what, double measured, double limit, boolean atLeast, String unit) {
        boolean met = atLeast ? measured >= limit : measured <= limit;
        String goal = what + (atLeast ? " ≥ " : " ≤ ") + fmt(limit) + unit;
        target = target.isEmpty() ? goal : target + "; " + goal;
        String v = met ? what + " met (" + fmt(measured) + unit + ")"
                : what + " missed by " + fmt(Math.abs(measured - limit)) + unit + " (" + fmt(measured) + unit + ")";
        verdict = verdict.isEmpty() ? v : verdict + "; " + v;
        if (status != Status.FAILED) {
            if (!met) status = Status.MISSED;
            else if (status == Status.INFO) status = Status.MET;
        }
        data.put("target_" + what.replaceAll("[^A-Za-z0-9]+", "_").toLowerCase(Locale.ROOT),
                Map.of("limit", limit, "measured", measured, "at_least", atLeast, "met", met));
        return this;
    }

    Row fail(String why) {
        status = Status.FAILED;
        verdict = verdict.isEmpty() ? why : verdict + "; " + why;
        data.put("error", why);
        return this;
    }

    Row notAvailable(String why, String targetText) {
        status = Status.NOT_AVAILABLE;
        target = targetText;
        verdict = "not measured: " + why;
        data.put("not_available", why);
        return this;
    }

    static String fmt(double v) {
        double a = Math.abs(v);
        if (a >= 1000) return String.format(Locale.ROOT, "%,.0f", v);
        if (a >= 100) return String.format(Locale.ROOT, "%.0f", v);
        if (a >= 10) return String.format(Locale.ROOT, "%.1f", v);
        return String.format(Locale.ROOT, "%.2f", v);
    }

    Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("section", section);
        m.put("title", title);
        m.put("status", status.name());
        m.put("n", n);
        m.put("p50_ms", p50Ms);
        m.put("p99_ms", p99Ms);
        m.put("value", value);
        m.put("vs_baseline", vsBaseline);
        m.put("target", target);
        m.put("verdict", verdict);
        m.put("data", data);
        return m;
    }
}
