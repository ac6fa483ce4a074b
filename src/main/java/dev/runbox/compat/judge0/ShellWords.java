package dev.runbox.compat.judge0;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Judge0's {@code compiler_options} and {@code command_line_arguments} are one string each, which Judge0
 * puts into a shell command line; Runbox takes argv elements and never runs a shell. This splits the
 * string into the words a POSIX shell would make of it (Ruby's {@code Shellwords.split}): blanks separate
 * words, single quotes keep everything, double quotes keep all but {@code \"} {@code \\} {@code \$}
 * {@code \`}, a backslash outside quotes keeps the next character. Nothing is expanded ({@code $HOME},
 * {@code *}, {@code ;} are plain text), so what a shell would have done beyond splitting is not done.
 */
final class ShellWords {
    private ShellWords() {
    }

    /** The words of {@code line}, or empty when a quote is not closed (Judge0's shell would fail too). */
    static Optional<List<String>> split(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        int i = 0;
        while (i < line.length()) {
            char c = line.charAt(i);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                if (inWord) words.add(word.toString());
                word.setLength(0);
                inWord = false;
                i++;
            } else if (c == '\'') {
                int end = line.indexOf('\'', i + 1);
                if (end < 0) return Optional.empty();
                word.append(line, i + 1, end);
                inWord = true;
                i = end + 1;
            } else if (c == '"') {
                i++;
                boolean closed = false;
                while (i < line.length()) {
                    char d = line.charAt(i);
                    if (d == '"') {
                        closed = true;
                        i++;
                        break;
                    }
                    if (d == '\\' && i + 1 < line.length() && "\"\\$`".indexOf(line.charAt(i + 1)) >= 0) {
                        word.append(line.charAt(i + 1));
                        i += 2;
                    } else {
                        word.append(d);
                        i++;
                    }
                }
                if (!closed) return Optional.empty();
                inWord = true;
            } else if (c == '\\') {
                if (i + 1 < line.length()) word.append(line.charAt(i + 1));
                inWord = true;
                i += 2;
            } else {
                word.append(c);
                inWord = true;
                i++;
            }
        }
        if (inWord) words.add(word.toString());
        return Optional.of(words);
    }
}
