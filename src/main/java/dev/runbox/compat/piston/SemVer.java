package dev.runbox.compat.piston;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Versions and version selectors as Piston takes them (it uses npm's {@code semver}): a request's
 * {@code version} is a range such as {@code *}, {@code 3}, {@code 3.11}, {@code 3.11.2}, {@code 3.x},
 * {@code ^3.10}, {@code ~3.11.0}, {@code >=3.8 <4}, {@code 1.2 - 2.3} or several of them joined by
 * {@code ||}. The grammar is npm's, without pre-release tags: Runbox's versions come from its toolchains
 * ({@code Python 3.11.2} is 3.11.2) and have none. A selector that does not parse matches nothing, as in
 * npm's {@code semver.satisfies}.
 */
final class SemVer {

    /** A version major.minor.patch. */
    record Version(int major, int minor, int patch) implements Comparable<Version> {
        @Override
        public int compareTo(Version o) {
            if (major != o.major) return Integer.compare(major, o.major);
            if (minor != o.minor) return Integer.compare(minor, o.minor);
            return Integer.compare(patch, o.patch);
        }

        @Override
        public String toString() {
            return major + "." + minor + "." + patch;
        }
    }

    /** The first x.y or x.y.z of a toolchain's version line: {@code gcc (Debian 12.2.0-14) 12.2.0} is 12.2.0. */
    private static final Pattern IN_TEXT = Pattern.compile("(\\d{1,9})\\.(\\d{1,9})(?:\\.(\\d{1,9}))?");
    /** One partial version of a selector: 3, 3.11, 3.x, 3.11.*, with an optional leading v or =. */
    private static final Pattern PARTIAL = Pattern.compile("v?(\\d{1,9}|[xX*])(?:\\.(\\d{1,9}|[xX*])(?:\\.(\\d{1,9}|[xX*]))?)?");
    private static final Pattern COMPARATOR = Pattern.compile("(<=|>=|<|>|=|\\^|~>|~)?\\s*(\\S+)");
    private static final Pattern HYPHEN = Pattern.compile("\\s*(\\S+)\\s+-\\s+(\\S+)\\s*");

    private SemVer() {
    }

    /** The version a toolchain's version line holds; 0.0.0 when it holds none. */
    static Version fromToolchain(String line) {
        if (line == null) return new Version(0, 0, 0);
        Matcher m = IN_TEXT.matcher(line);
        if (!m.find()) return new Version(0, 0, 0);
        return new Version(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), m.group(3) == null ? 0 : Integer.parseInt(m.group(3)));
    }

    /** Whether {@code v} is in the range {@code selector}. */
    static boolean satisfies(Version v, String selector) {
        for (String alternative : selector.split("\\|\\|", -1)) {
            Optional<List<Bound>> bounds = parseRange(alternative.strip());
            if (bounds.isPresent() && bounds.get().stream().allMatch(b -> b.admits(v))) return true;
        }
        return false;
    }

    /** One comparison with a version: {@code v op version}. */
    private record Bound(String op, Version version) {
        boolean admits(Version v) {
            int c = v.compareTo(version);
            return switch (op) {
                case ">=" -> c >= 0;
                case ">" -> c > 0;
                case "<" -> c < 0;
                case "<=" -> c <= 0;
                default -> c == 0;
            };
        }
    }

    /** A partial version: null parts were absent or x. */
    private record Partial(Integer major, Integer minor, Integer patch) {
        Version floor() {
            return new Version(major == null ? 0 : major, minor == null ? 0 : minor, patch == null ? 0 : patch);
        }

        /** The first version past everything this partial names (for 1.2: 1.3.0); null when it names everything. */
        Version ceiling() {
            if (major == null) return null;
            if (minor == null) return new Version(major + 1, 0, 0);
            if (patch == null) return new Version(major, minor + 1, 0);
            return new Version(major, minor, patch + 1);
        }
    }

    private static Optional<Partial> partial(String s) {
        Matcher m = PARTIAL.matcher(s);
        if (!m.matches()) return Optional.empty();
        Integer major = number(m.group(1));
        Integer minor = major == null ? null : number(m.group(2));
        Integer patch = minor == null ? null : number(m.group(3));
        return Optional.of(new Partial(major, minor, patch));
    }

    private static Integer number(String s) {
        return s == null || s.equalsIgnoreCase("x") || s.equals("*") ? null : Integer.valueOf(s);
    }

    private static Optional<List<Bound>> parseRange(String range) {
        List<Bound> out = new ArrayList<>();
        if (range.isEmpty()) return Optional.of(out); // "" is any version, as in npm
        Matcher hyphen = HYPHEN.matcher(range);
        if (hyphen.matches()) {
            Optional<Partial> from = partial(hyphen.group(1));
            Optional<Partial> to = partial(hyphen.group(2));
            if (from.isEmpty() || to.isEmpty()) return Optional.empty();
            out.add(new Bound(">=", from.get().floor()));
            Version past = to.get().ceiling();
            if (past != null) out.add(new Bound("<", past));
            return Optional.of(out);
        }
        // an operator may be written apart from its version (">= 3.8"): join them first
        String joined = range.replaceAll("(<=|>=|<|>|=|\\^|~>|~)\\s+", "$1");
        for (String part : joined.split("\\s+")) {
            Matcher m = COMPARATOR.matcher(part);
            if (!m.matches()) return Optional.empty();
            Optional<Partial> p = partial(m.group(2));
            if (p.isEmpty()) return Optional.empty();
            if (!comparator(m.group(1) == null ? "" : m.group(1), p.get(), out)) return Optional.empty();
        }
        return Optional.of(out);
    }

    /** Adds the bounds of one comparator; false when it makes no sense. */
    private static boolean comparator(String op, Partial p, List<Bound> out) {
        Version floor = p.floor();
        Version ceiling = p.ceiling();
        switch (op) {
            case "", "=" -> {
                if (ceiling == null) return true; // *: any
                out.add(new Bound(">=", floor));
                out.add(new Bound("<", ceiling));
            }
            case ">=" -> out.add(new Bound(">=", floor));
            case "<=" -> {
                if (ceiling != null) out.add(new Bound("<", ceiling));
            }
            case ">" -> {
                if (ceiling == null) out.add(new Bound("<", new Version(0, 0, 0))); // >*: nothing
                else out.add(new Bound(">=", ceiling));
            }
            case "<" -> out.add(new Bound("<", floor));
            case "~", "~>" -> {
                if (ceiling == null) return true;
                out.add(new Bound(">=", floor));
                // ~1.2.3 and ~1.2 stay within 1.2; ~1 within 1
                out.add(new Bound("<", p.minor() == null ? new Version(p.major() + 1, 0, 0) : new Version(p.major(), p.minor() + 1, 0)));
            }
            case "^" -> {
                if (ceiling == null) return true;
                out.add(new Bound(">=", floor));
                // the first non-zero part given may not change: ^1.2 < 2, ^0.2 < 0.3, ^0.0.3 < 0.0.4, ^0.0 < 0.1
                Version past;
                if (p.major() != 0 || p.minor() == null) past = new Version(p.major() + 1, 0, 0);
                else if (p.minor() != 0 || p.patch() == null) past = new Version(0, p.minor() + 1, 0);
                else past = new Version(0, 0, p.patch() + 1);
                out.add(new Bound("<", past));
            }
            default -> {
                return false;
            }
        }
        return true;
    }
}
