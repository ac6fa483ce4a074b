package dev.runbox.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The checked-in OpenAPI document, parsed and checked by swagger-parser, and a JSON Schema
 * (2020-12, networknt) check of response bodies against the schema the document gives for their
 * operation, status and media type. A response whose status or media type the document does not
 * list fails as surely as a body that does not match.
 */
public final class OpenApiContract {

    public final String yaml;
    public final JsonNode doc;
    public final OpenAPI model;
    public final List<String> parserMessages;
    private final SchemaRegistry schemas = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

    private OpenApiContract(String yaml) {
        this.yaml = yaml;
        try {
            this.doc = new ObjectMapper(new YAMLFactory()).readTree(yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(yaml, null, options);
        this.model = parsed.getOpenAPI();
        this.parserMessages = parsed.getMessages() == null ? List.of() : parsed.getMessages();
    }

    /** The document in src/main/resources, as shipped in the jar. */
    public static OpenApiContract load() {
        try (InputStream in = OpenApiContract.class.getResourceAsStream("/openapi.yaml")) {
            if (in == null) throw new IllegalStateException("openapi.yaml is not on the classpath");
            return new OpenApiContract(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every operation of the document, as "METHOD /path". */
    public Set<String> operations() {
        Set<String> out = new TreeSet<>();
        for (Map.Entry<String, PathItem> p : model.getPaths().entrySet()) {
            p.getValue().readOperationsMap().keySet().forEach(m -> out.add(m.name() + " " + p.getKey()));
        }
        return out;
    }

    /** The schema the document gives for this response, or an error naming what is not documented. */
    public JsonNode responseSchema(String method, String path, int status, String mediaType) {
        JsonNode op = doc.path("paths").path(path).path(method.toLowerCase(Locale.ROOT));
        if (op.isMissingNode()) throw new AssertionError(method + " " + path + " is not in the document");
        JsonNode response = op.path("responses").path(Integer.toString(status));
        if (response.isMissingNode()) throw new AssertionError(method + " " + path + " answered " + status + ", which the document does not list");
        response = deref(response);
        JsonNode content = response.path("content").path(mediaType);
        if (content.isMissingNode()) {
            throw new AssertionError(method + " " + path + " " + status + " answered " + mediaType + ", which the document does not list");
        }
        return content.path("schema");
    }

    /** The schema errors of {@code body} against the documented response; empty when it matches. */
    public List<Error> errors(String method, String path, int status, String mediaType, JsonNode body) {
        JsonNode schema = responseSchema(method, path, status, mediaType);
        ObjectNode wrapper = schema.deepCopy();
        wrapper.set("components", doc.get("components")); // so that '#/components/…' references resolve
        Schema s = schemas.getSchema(wrapper);
        return s.validate(body);
    }

    /** Asserts that a real response is documented and that its JSON body matches the schema. */
    public void assertMatches(String method, String path, HttpResponse<String> r) {
        String mediaType = mediaType(r);
        JsonNode body;
        try {
            body = TestServer.JSON.readTree(r.body());
        } catch (IOException e) {
            throw new AssertionError(method + " " + path + ": body is not JSON: " + r.body(), e);
        }
        List<Error> errors = errors(method, path, r.statusCode(), mediaType, body);
        if (!errors.isEmpty()) {
            throw new AssertionError(method + " " + path + " " + r.statusCode() + " does not match the document: " + errors
                    + "\nbody: " + abbreviate(r.body()));
        }
    }

    public static String mediaType(HttpResponse<?> r) {
        return r.headers().firstValue("Content-Type").orElse("").split(";", 2)[0].trim();
    }

    private JsonNode deref(JsonNode n) {
        while (n.has("$ref")) {
            String ref = n.get("$ref").asText();
            if (!ref.startsWith("#")) throw new AssertionError("external reference " + ref);
            n = doc.at(ref.substring(1));
        }
        return n;
    }

    private static String abbreviate(String s) {
        return s.length() <= 2000 ? s : s.substring(0, 2000) + "…";
    }
}
