package dev.runbox.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An HTTP error, rendered as RFC 9457 problem details ({@code application/problem+json}). Field
 * errors name the request field in {@code errors[].field}; the first one is also in {@code field}.
 */
public final class Problem extends RuntimeException {

    public record FieldError(String field, String message) {
    }

    private final int status;
    private final String slug;
    private final String title;
    private final List<FieldError> errors;
    private final Map<String, String> headers;

    public Problem(int status, String slug, String title, String detail, List<FieldError> errors, Map<String, String> headers) {
        super(detail);
        this.status = status;
        this.slug = slug;
        this.title = title;
        this.errors = List.copyOf(errors);
        this.headers = Map.copyOf(headers);
    }

    public static Problem of(int status, String slug, String title, String detail) {
        return new Problem(status, slug, title, detail, List.of(), Map.of());
    }

    public static Problem invalidFields(List<FieldError> errors) {
        String detail = errors.size() == 1 ? errors.get(0).field() + ": " + errors.get(0).message()
                : errors.size() + " fields are invalid: " + String.join("; ", errors.stream().map(e -> e.field() + ": " + e.message()).toList());
        return new Problem(400, "invalid-request", "The request is invalid", detail, errors, Map.of());
    }

    public int status() {
        return status;
    }

    /** The request fields it names, each with what is wrong with it (empty when it names none). */
    public List<FieldError> errors() {
        return errors;
    }

    /** The {@code type} slug: what kind of problem this is. */
    public String slug() {
        return slug;
    }

    public Map<String, String> headers() {
        return headers;
    }

    public Map<String, Object> body(String instance) {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("type", "urn:runbox:problem:" + slug);
        b.put("title", title);
        b.put("status", status);
        b.put("detail", getMessage());
        b.put("instance", instance);
        if (!errors.isEmpty()) {
            b.put("field", errors.get(0).field());
            b.put("errors", errors.stream().map(e -> Map.of("field", e.field(), "message", e.message())).toList());
        }
        return b;
    }
}
