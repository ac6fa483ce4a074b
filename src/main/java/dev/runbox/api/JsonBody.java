package dev.runbox.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;

import java.io.IOException;
import java.util.List;

/** Reads a request body that must be JSON: 415 for another media type, 413 past the size, 400 for bad JSON. */
final class JsonBody {
    private JsonBody() {
    }

    static JsonNode read(Context ctx, long maxBytes) {
        String type = ctx.contentType() == null ? "" : ctx.contentType().toLowerCase();
        String mime = type.split(";", 2)[0].trim();
        if (!mime.equals("application/json")) {
            throw Problem.of(415, "unsupported-media-type", "Unsupported media type",
                    "send the body as application/json (got '" + (type.isEmpty() ? "no content type" : type) + "')");
        }
        if (ctx.contentLength() > maxBytes) {
            throw Problem.of(413, "body-too-large", "Request body too large", "the body may be at most " + maxBytes + " bytes");
        }
        byte[] raw = ctx.bodyAsBytes();
        if (raw.length == 0) {
            throw Problem.invalidFields(List.of(new Problem.FieldError("body", "is empty; send a JSON object")));
        }
        try {
            return HttpApi.JSON.readTree(raw);
        } catch (JsonProcessingException e) {
            throw Problem.invalidFields(List.of(new Problem.FieldError("body", "is not valid JSON: " + e.getOriginalMessage())));
        } catch (IOException e) {
            // invalid UTF-8 and other byte-level errors of the body
            throw Problem.invalidFields(List.of(new Problem.FieldError("body", "is not valid JSON text: " + e.getMessage())));
        }
    }
}
