package dev.runbox.judge;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * One file of a submission's {@code collect}, as found in {@code /box} after the run.
 *
 * @param name      the requested name
 * @param state     whether it was there as a regular file
 * @param content   its bytes in base64 (RFC 4648, padded), at most what the collect cap left; null unless FOUND
 * @param size      its size in bytes; null unless FOUND
 * @param truncated whether {@code content} is shorter than the file (the collect cap was reached)
 */
@JsonPropertyOrder({"name", "state", "content", "size", "truncated"})
public record CollectedFile(String name, State state, String content, Long size, boolean truncated) {

    public enum State {
        /** A regular file: its content is collected. */
        FOUND,
        /** No such file. */
        MISSING,
        /** A directory, a symbolic link, a FIFO or a device: never read. */
        NOT_A_FILE;

        @JsonValue
        public String wire() {
            return name().toLowerCase();
        }

        @JsonCreator
        public static State of(String wire) {
            return valueOf(wire.toUpperCase());
        }
    }
}
