package dev.runbox.judge;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * One file of a submission's {@code files}: placed read-only in {@code /box} beside the source before
 * the compile (headers, modules, data). Kept as the request gave it (text or base64), so that the job
 * reads the same in a request, a queue entry and a log line; {@link #bytes} is what lands in the box.
 *
 * @param name     a plain file name of the work dir (see {@code RunSpec.isValidFileName})
 * @param content  the file's text (utf8) or its bytes in base64 (RFC 4648, with padding)
 * @param encoding how {@code content} is written
 */
public record BoxFile(String name, String content, Encoding encoding) {

    public enum Encoding {
        UTF8, BASE64;

        @JsonValue
        public String wire() {
            return name().toLowerCase();
        }

        @JsonCreator
        public static Encoding of(String wire) {
            return switch (wire) {
                case "utf8" -> UTF8;
                case "base64" -> BASE64;
                default -> throw new IllegalArgumentException("unknown encoding: " + wire);
            };
        }
    }

    public BoxFile {
        if (name == null || content == null || encoding == null) throw new IllegalArgumentException("a file needs a name, content and encoding");
    }

    /** The file's bytes as the program sees them. */
    public byte[] bytes() {
        return encoding == Encoding.UTF8 ? content.getBytes(StandardCharsets.UTF_8) : Base64.getDecoder().decode(content);
    }
}
