package dev.runbox.job;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/** The id of one submission: a random UUID, always written in its canonical lower-case form. */
public record SubmissionId(UUID value) {

    private static final Pattern CANONICAL =
            Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    public SubmissionId {
        if (value == null) throw new IllegalArgumentException("submission id must not be null");
    }

    public static SubmissionId random() {
        return new SubmissionId(UUID.randomUUID());
    }

    /** Parses only the canonical form; anything else (upper case, braces, paths) is not an id. */
    public static Optional<SubmissionId> parse(String text) {
        if (text == null || !CANONICAL.matcher(text).matches()) return Optional.empty();
        return Optional.of(new SubmissionId(UUID.fromString(text)));
    }

    /** The id written as {@code text} in its canonical form, as on the wire; anything else is refused. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static SubmissionId of(String text) {
        return parse(text).orElseThrow(() -> new IllegalArgumentException("not a submission id: " + text));
    }

    @JsonValue
    @Override
    public String toString() {
        return value.toString();
    }
}
