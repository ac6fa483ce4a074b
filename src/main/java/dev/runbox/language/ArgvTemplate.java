package dev.runbox.language;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The placeholders of a languages file's commands. An argv is a list of strings, never a shell line;
 * a placeholder fills in the request's lists or values computed from its limits:
 * <ul>
 *   <li>{@code {compiler_options}} (compile only) and {@code {command_line_arguments}} (run only): a
 *       whole element, replaced by the request's list of that name, element for element (zero or more);</li>
 *   <li>{@code {extra_sources}} (compile only): a whole element, replaced by the names of the request's
 *       {@code files} that end in the source file's extension (e.g. {@code util.c} beside {@code main.c}),
 *       sorted, so that a multi-file program is compiled whole;</li>
 *   <li>{@code {memory_limit_mb}}: the phase's memory limit in MiB, anywhere in an element;</li>
 *   <li>{@code {heap_mb}}: {@value #HEAP_PERCENT}% of it, for the heap of a managed runtime
 *       (e.g. {@code -Xmx{heap_mb}m}), leaving the rest for the runtime itself.</li>
 * </ul>
 */
public final class ArgvTemplate {

    public static final String COMPILER_OPTIONS = "compiler_options";
    public static final String COMMAND_LINE_ARGUMENTS = "command_line_arguments";
    public static final String EXTRA_SOURCES = "extra_sources";
    static final String MEMORY_LIMIT_MB = "memory_limit_mb";
    static final String HEAP_MB = "heap_mb";
    /** Share of the memory limit given to a managed runtime's heap; the rest is its own overhead. */
    static final int HEAP_PERCENT = 75;
    private static final Set<String> VALUES = Set.of(MEMORY_LIMIT_MB, HEAP_MB);
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([a-z_]+)}");

    private ArgvTemplate() {
    }

    /**
     * Checks an argv of the languages file: non-empty, an absolute program, known placeholders only, a
     * list placeholder only where {@code lists} allows it, as a whole element and at most once.
     */
    static void validate(List<String> argv, String where, Set<String> lists) throws LanguageFileException {
        if (argv.isEmpty()) throw new LanguageFileException(where + " must not be empty");
        if (!argv.get(0).startsWith("/")) {
            throw new LanguageFileException(where + ": the program '" + argv.get(0) + "' must be an absolute path"
                    + " (the sandbox has no shell and searches no PATH)");
        }
        for (String list : lists) {
            if (argv.stream().filter(a -> a.equals("{" + list + "}")).count() > 1) {
                throw new LanguageFileException(where + ": {" + list + "} may appear once");
            }
        }
        for (int i = 0; i < argv.size(); i++) {
            Matcher m = PLACEHOLDER.matcher(argv.get(i));
            while (m.find()) {
                String name = m.group(1);
                boolean whole = argv.get(i).equals("{" + name + "}");
                if (lists.contains(name)) {
                    if (!whole) throw new LanguageFileException(where + ": {" + name + "} must be a whole element, in '" + argv.get(i) + "'");
                    if (i == 0) throw new LanguageFileException(where + ": {" + name + "} cannot be the program");
                } else if (!VALUES.contains(name)) {
                    throw new LanguageFileException(where + ": unknown placeholder {" + name + "} (known here: "
                            + String.join(", ", known(lists)) + ")");
                }
            }
        }
    }

    private static List<String> known(Set<String> lists) {
        List<String> k = new ArrayList<>();
        lists.stream().sorted().forEach(l -> k.add("{" + l + "}"));
        VALUES.stream().sorted().forEach(v -> k.add("{" + v + "}"));
        return k;
    }

    /** Whether {@code argv} takes the list placeholder {@code list}. */
    static boolean takes(List<String> argv, String list) {
        return argv.contains("{" + list + "}");
    }

    /** The argv to run: list placeholders replaced by their elements, values filled in. */
    static List<String> expand(List<String> argv, Map<String, List<String>> lists, long memoryLimitMb) {
        Map<String, String> values = Map.of(MEMORY_LIMIT_MB, Long.toString(memoryLimitMb),
                HEAP_MB, Long.toString(Math.max(1, memoryLimitMb * HEAP_PERCENT / 100)));
        List<String> out = new ArrayList<>();
        for (String a : argv) {
            Matcher whole = PLACEHOLDER.matcher(a);
            if (whole.matches() && lists.containsKey(whole.group(1))) {
                out.addAll(lists.get(whole.group(1)));
                continue;
            }
            if (whole.matches() && !VALUES.contains(whole.group(1))) continue; // a list this request left empty
            Matcher m = PLACEHOLDER.matcher(a);
            StringBuilder sb = new StringBuilder();
            while (m.find()) m.appendReplacement(sb, Matcher.quoteReplacement(values.getOrDefault(m.group(1), m.group())));
            m.appendTail(sb);
            out.add(sb.toString());
        }
        return List.copyOf(out);
    }
}
