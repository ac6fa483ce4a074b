package dev.runbox.judge;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code collect}: files the program left in {@code /box}, returned in the result. They are read inside
 * the sandbox, by a shell run after the program in a sandbox of its own over the same work dir, as the
 * run's uid ({@link #command}): the host never opens a path in a directory a program controlled. No
 * process of the program is left by then (its cgroup was emptied), so nothing can swap a file under
 * the reader; symbolic links and anything but a regular file are reported, never read.
 */
public final class Collect {

    public static final String FIELD = "collect";
    /** Most names in {@code collect}. */
    public static final int MAX_NAMES = 16;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}");

    /**
     * Prints, for each name given as an argument: {@code =NAME missing}, {@code =NAME not_a_file}, or
     * {@code =NAME found SIZE} and a line of the first bytes (at most what is left of {@code $1}, the
     * cap for all files) in base64.
     */
    private static final String SCRIPT = "left=$1; shift\n"
            + "for f do\n"
            + "  if [ -L \"$f\" ]; then echo \"=$f not_a_file\"\n"
            + "  elif [ ! -e \"$f\" ]; then echo \"=$f missing\"\n"
            + "  elif [ ! -f \"$f\" ]; then echo \"=$f not_a_file\"\n"
            + "  else\n"
            + "    size=$(wc -c < \"$f\") || exit 99\n"
            + "    echo \"=$f found $size\"\n"
            + "    head -c \"$left\" < \"$f\" | base64 -w 0 || exit 99\n"
            + "    echo\n"
            + "    if [ \"$size\" -gt \"$left\" ]; then left=0; else left=$((left - size)); fi\n"
            + "  fi\n"
            + "done\n";

    private Collect() {
    }

    /** The collector's argv, to run from /box after the program: reads {@code names}, at most {@code capBytes} in all. */
    public static List<String> command(List<String> names, long capBytes) {
        List<String> argv = new ArrayList<>(List.of("/bin/sh", "-c", SCRIPT, "collect", Long.toString(capBytes)));
        argv.addAll(names);
        return argv;
    }

    /**
     * What the collector printed, as one entry per requested name, in order.
     *
     * @throws IllegalArgumentException when the output is not what {@link #SCRIPT} prints (the collector failed)
     */
    public static List<CollectedFile> parse(byte[] stdout, List<String> names) {
        String[] lines = new String(stdout, StandardCharsets.US_ASCII).split("\n", -1);
        List<CollectedFile> out = new ArrayList<>();
        int at = 0;
        for (String name : names) {
            if (at >= lines.length || !lines[at].startsWith("=" + name + " ")) {
                throw new IllegalArgumentException("the collector printed no entry for " + name);
            }
            String[] head = lines[at++].substring(name.length() + 2).split(" ");
            switch (head[0]) {
                case "missing" -> out.add(new CollectedFile(name, CollectedFile.State.MISSING, null, null, false));
                case "not_a_file" -> out.add(new CollectedFile(name, CollectedFile.State.NOT_A_FILE, null, null, false));
                case "found" -> {
                    if (head.length != 2 || at >= lines.length) throw new IllegalArgumentException("a bad entry for " + name);
                    long size = Long.parseLong(head[1].strip());
                    String content = lines[at++].strip();
                    int got = Base64.getDecoder().decode(content).length;
                    out.add(new CollectedFile(name, CollectedFile.State.FOUND, content, size, got < size));
                }
                default -> throw new IllegalArgumentException("an unknown state for " + name + ": " + head[0]);
            }
        }
        return out;
    }

    /** The {@code collect} field: at most {@value #MAX_NAMES} distinct plain file names of /box; empty when absent. */
    public static List<String> parseField(JsonNode body, List<FieldProblem> errors) {
        JsonNode v = body.get(FIELD);
        if (v == null || v.isNull()) return List.of();
        if (!v.isArray() || v.size() > MAX_NAMES) {
            errors.add(new FieldProblem(FIELD, "must be an array of at most " + MAX_NAMES + " file names of /box"));
            return null;
        }
        List<String> names = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < v.size(); i++) {
            JsonNode n = v.get(i);
            if (!n.isTextual() || !NAME.matcher(n.textValue()).matches()) {
                errors.add(new FieldProblem(FIELD, FIELD + "[" + i + "] must be a plain file name of /box: 1 to 64 of A-Z a-z 0-9 _ . -,"
                        + " not starting with . or -"));
                return null;
            }
            if (!seen.add(n.textValue())) {
                errors.add(new FieldProblem(FIELD, FIELD + "[" + i + "] (\"" + n.textValue() + "\") is given twice"));
                return null;
            }
            names.add(n.textValue());
        }
        return List.copyOf(names);
    }
}
