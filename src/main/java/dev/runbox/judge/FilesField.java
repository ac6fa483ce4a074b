package dev.runbox.judge;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code files} field of a request, checked: an array of at most {@code maxFiles} objects
 * {@code {"name", "content", "encoding"}}, each name a plain file name of the work dir (no {@code /},
 * no {@code ..}, no NUL, no leading dot or dash, at most 64 characters, not the language's own source
 * file, not twice), their decoded contents at most {@code maxBytes} together. Every problem names the
 * field {@code files} and, in its message, the file.
 */
public final class FilesField {

    public static final String FIELD = "files";
    /** The work dir's plain names: the rule {@code RunSpec.isValidFileName} applies, kept here to state it in messages. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}");
    private static final Set<String> KEYS = Set.of("name", "content", "encoding");

    private FilesField() {
    }

    /**
     * The files of {@code body}, or null when any is refused (the problems are added to {@code errors}).
     *
     * @param sourceFile the language's source file name (a file may not take it), or null when the language is unknown
     */
    public static List<BoxFile> parse(JsonNode body, String field, String sourceFile, int maxFiles, long maxBytes,
                                      List<FieldProblem> errors) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) return List.of();
        if (!v.isArray()) {
            errors.add(new FieldProblem(field, "must be an array of {\"name\", \"content\", \"encoding\"} objects"));
            return null;
        }
        if (v.size() > maxFiles) {
            errors.add(new FieldProblem(field, "has " + v.size() + " files; the maximum is " + maxFiles));
            return null;
        }
        List<BoxFile> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        long total = 0;
        int before = errors.size();
        for (int i = 0; i < v.size(); i++) {
            JsonNode f = v.get(i);
            String at = field + "[" + i + "]";
            if (!f.isObject()) {
                errors.add(new FieldProblem(field, at + " must be an object {\"name\", \"content\", \"encoding\"}"));
                continue;
            }
            for (Iterator<String> it = f.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!KEYS.contains(k)) errors.add(new FieldProblem(field, at + ": unknown field '" + abbreviate(k) + "' (accepted: content, encoding, name)"));
            }
            JsonNode n = f.get("name");
            if (n == null || !n.isTextual()) {
                errors.add(new FieldProblem(field, at + ": name is required, a string"));
                continue;
            }
            String name = n.textValue();
            at = at + " (" + quote(name) + ")";
            if (!NAME.matcher(name).matches()) {
                errors.add(new FieldProblem(field, at + ": name must be a plain file name of /box: 1 to 64 of A-Z a-z 0-9 _ . -,"
                        + " not starting with . or - (no directories, no NUL)"));
                continue;
            }
            if (name.equals(sourceFile)) {
                errors.add(new FieldProblem(field, at + ": is the language's own source file; source_code is written there"));
                continue;
            }
            if (!names.add(name)) {
                errors.add(new FieldProblem(field, at + ": a file of that name is given twice"));
                continue;
            }
            JsonNode e = f.get("encoding");
            BoxFile.Encoding encoding = BoxFile.Encoding.UTF8;
            if (e != null && !e.isNull()) {
                if (!e.isTextual() || !(e.textValue().equals("utf8") || e.textValue().equals("base64"))) {
                    errors.add(new FieldProblem(field, at + ": encoding must be \"utf8\" or \"base64\""));
                    continue;
                }
                encoding = BoxFile.Encoding.of(e.textValue());
            }
            JsonNode c = f.get("content");
            if (c == null || !c.isTextual()) {
                errors.add(new FieldProblem(field, at + ": content is required, a string"));
                continue;
            }
            String content = c.textValue();
            long bytes;
            if (encoding == BoxFile.Encoding.BASE64) {
                try {
                    bytes = Base64.getDecoder().decode(content).length;
                } catch (IllegalArgumentException bad) {
                    errors.add(new FieldProblem(field, at + ": content is not base64 (RFC 4648, with padding): " + bad.getMessage()));
                    continue;
                }
            } else {
                bytes = content.getBytes(StandardCharsets.UTF_8).length;
            }
            total += bytes;
            out.add(new BoxFile(name, content, encoding));
        }
        if (total > maxBytes) {
            errors.add(new FieldProblem(field, "the files are " + total + " bytes together; the maximum is " + maxBytes));
        }
        return errors.size() == before ? List.copyOf(out) : null;
    }

    private static String quote(String s) {
        String shown = abbreviate(s).replace("\\", "\\\\").replace("\"", "\\\"").replace("\0", "\\0");
        return "\"" + shown + "\"";
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }
}
