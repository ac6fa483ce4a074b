package dev.runbox.judge;

/** One problem with one field of a request, as the API reports it (a 400 naming {@code field}). */
public record FieldProblem(String field, String message) {
}
