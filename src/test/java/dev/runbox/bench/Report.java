package dev.runbox.bench;

import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** The results: a markdown table (printed, and put into BENCHMARKS.md) and the same as JSON. */
final class Report {

    static final String BEGIN = "<!-- bench:results:begin -->";
    static final String END = "<!-- bench:results:end -->";
    private static final List<String> HEADER = List.of("section", "row", "n", "p50 ms", "p99 ms", "rate / value",
            "vs baseline (same run)", "target (issue 5)", "verdict");

    final Map<String, Object> meta = new LinkedHashMap<>();
    final List<Row> rows = new ArrayList<>();

    boolean failed() {
        return rows.stream().anyMatch(r -> r.status == Row.Status.FAILED);
    }

    String table() {
        List<List<String>> cells = new ArrayList<>();
        String lastSection = null;
        for (Row r : rows) {
            cells.add(Stream.of(r.section.equals(lastSection) ? "" : r.section, r.title, r.n == null ? "" : Integer.toString(r.n),
                    r.p50Ms == null ? "" : Row.fmt(r.p50Ms), r.p99Ms == null ? "" : Row.fmt(r.p99Ms), r.value, r.vsBaseline,
                    r.target, (r.status == Row.Status.INFO ? "" : r.status.name() + ": ") + r.verdict).map(Report::oneLine).toList());
            lastSection = r.section;
        }
        int[] width = new int[HEADER.size()];
        for (int i = 0; i < width.length; i++) {
            width[i] = HEADER.get(i).length();
            for (List<String> c : cells) width[i] = Math.max(width[i], c.get(i).length());
        }
        StringBuilder sb = new StringBuilder();
        line(sb, HEADER, width);
        List<String> rule = new ArrayList<>();
        for (int w : width) rule.add("-".repeat(w));
        line(sb, rule, width);
        for (List<String> c : cells) line(sb, c, width);
        return sb.toString();
    }

    private static void line(StringBuilder sb, List<String> cells, int[] width) {
        sb.append('|');
        for (int i = 0; i < cells.size(); i++) {
            String c = cells.get(i);
            sb.append(' ').append(c).append(" ".repeat(Math.max(0, width[i] - c.length()))).append(" |");
        }
        sb.append('\n');
    }

    /** A table cell: first line only (the JSON keeps all), at most 300 characters, pipes escaped. */
    private static String oneLine(String s) {
        String first = s.lines().findFirst().orElse("");
        if (first.length() > 300) first = first.substring(0, 297) + "...";
        return first.replace("|", "\\|");
    }

    /** The block BENCHMARKS.md carries: how it was run, on what, and the table. */
    @SuppressWarnings("unchecked")
    String markdown() {
        Map<String, Object> machine = (Map<String, Object>) meta.get("machine");
        StringBuilder sb = new StringBuilder();
        sb.append("Command: `").append(meta.get("command")).append("` (").append(meta.get("mode")).append(" run, ")
                .append(meta.get("started_at")).append(", ").append(meta.get("duration_sec")).append(" s, commit ")
                .append(meta.get("git_commit")).append(")\n\n");
        sb.append("Machine: ").append(machine.get("cores")).append(" cores (").append(machine.get("cpu_model")).append("), ")
                .append(machine.get("memory_total")).append(" RAM; ").append(machine.get("os")).append(", kernel ")
                .append(machine.get("kernel")).append("; ").append(machine.get("cgroups")).append("; ")
                .append(machine.get("jdk")).append("; ").append(machine.get("bubblewrap")).append("; ")
                .append(machine.get("python")).append("; ").append(machine.get("wrk")).append(".\n\n");
        sb.append("Load average (1/5/15 min) at start: ").append(meta.get("load_average_start"))
                .append("; at end: ").append(meta.get("load_average_end")).append(".\n\n");
        sb.append(table());
        return sb.toString();
    }

    void writeJson(Path out) throws IOException {
        Map<String, Object> root = new LinkedHashMap<>(meta);
        List<Map<String, Object>> list = new ArrayList<>();
        for (Row r : rows) list.add(r.toJson());
        root.put("rows", list);
        Files.createDirectories(out.toAbsolutePath().getParent());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.toFile(), root);
    }

    /** Replaces what lies between the markers of {@code file}; false when it has no markers. */
    boolean updateBetweenMarkers(Path file) throws IOException {
        if (!Files.exists(file)) return false;
        String text = Files.readString(file, StandardCharsets.UTF_8);
        int b = text.indexOf(BEGIN);
        int e = text.indexOf(END);
        if (b < 0 || e < b) return false;
        String updated = text.substring(0, b + BEGIN.length()) + "\n" + markdown() + text.substring(e);
        Files.writeString(file, updated, StandardCharsets.UTF_8);
        return true;
    }
}
