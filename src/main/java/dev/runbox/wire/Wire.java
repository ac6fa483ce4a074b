package dev.runbox.wire;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.util.TokenBuffer;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import java.io.IOException;

/**
 * The one JSON shape of every record that leaves a process: queue entries, stored results, result
 * announcements, worker heartbeats, and the result clients see. The shape is derived from the records
 * themselves (their components, in snake_case: {@code commandLineArguments} is
 * {@code command_line_arguments}; times and durations as ISO-8601 strings), so a component added to a
 * record is carried everywhere with no second list of fields to extend.
 *
 * <p>Readers ignore fields they do not know, so a newer writer does not break an older reader during a
 * rolling upgrade; a field that is missing reads as null (a primitive as its default).
 *
 * <p>Clients see a record through {@link #publicTree}: every component except those marked
 * {@code @JsonView(Wire.Internal.class)}.
 */
public final class Wire {

    /** Marks a component only Runbox's own processes read (which worker, how many attempts): never shown to clients. */
    public interface Internal {
    }

    /** The clients' view: any component not marked {@link Internal}. */
    private interface Public {
    }

    private static final JsonMapper JSON = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private static final ObjectWriter PUBLIC = JSON.writerWithView(Public.class);

    private Wire() {
    }

    /** {@code value} as JSON, every component included (for Runbox's own processes). */
    public static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a " + value.getClass().getSimpleName() + " always serializes", e);
        }
    }

    /** Reads what {@link #write} wrote (or a newer or older version of it). */
    public static <T> T read(String json, Class<T> type) {
        try {
            return JSON.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a " + type.getSimpleName() + ": " + e.getOriginalMessage(), e);
        }
    }

    /** What clients see of {@code value}: a JSON tree without the {@link Internal} components. */
    public static JsonNode publicTree(Object value) {
        // through a token buffer rather than text: results carry up to megabytes of output
        try (TokenBuffer buffer = new TokenBuffer(JSON, false)) {
            PUBLIC.writeValue(buffer, value);
            return JSON.readTree(buffer.asParser());
        } catch (IOException e) {
            throw new IllegalStateException("a " + value.getClass().getSimpleName() + " always serializes", e);
        }
    }
}
