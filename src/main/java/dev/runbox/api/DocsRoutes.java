package dev.runbox.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.javalin.http.Context;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The API's description: {@code GET /openapi.json}, the checked-in {@code openapi.yaml} as JSON, and
 * {@code GET /docs}, Swagger UI over it, served from the swagger-ui webjar inside the jar (no CDN).
 * A test keeps the document true: every route is in it, and real responses match its schemas.
 */
final class DocsRoutes {

    static final String DOCUMENT = "/openapi.yaml";
    private static final String WEBJAR_POM = "/META-INF/maven/org.webjars/swagger-ui/pom.properties";

    private final byte[] openApiJson;
    private final String page;

    DocsRoutes() {
        try (InputStream yaml = resource(DOCUMENT)) {
            JsonNode doc = new ObjectMapper(new YAMLFactory()).readTree(yaml);
            this.openApiJson = HttpApi.JSON.writeValueAsBytes(doc);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + DOCUMENT + " from the jar", e);
        }
        this.page = page("/webjars/swagger-ui/" + swaggerUiVersion());
    }

    void openApi(Context ctx) {
        ctx.contentType("application/json");
        ctx.result(openApiJson);
    }

    void docs(Context ctx) {
        ctx.html(page);
    }

    /** The webjar's version, so that the page follows the dependency when it is upgraded. */
    static String swaggerUiVersion() {
        return webjarVersion(WEBJAR_POM);
    }

    /** The version in a webjar's {@code pom.properties}. */
    static String webjarVersion(String pomProperties) {
        try (InputStream in = resource(pomProperties)) {
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read a webjar's version from " + pomProperties, e);
        }
    }

    private static String page(String assets) {
        return """
                <!doctype html>
                <html lang="en">
                <head>
                  <meta charset="utf-8">
                  <title>Runbox API</title>
                  <link rel="stylesheet" href="%1$s/swagger-ui.css">
                  <link rel="icon" type="image/png" href="%1$s/favicon-32x32.png">
                </head>
                <body>
                  <div id="swagger-ui"></div>
                  <script src="%1$s/swagger-ui-bundle.js"></script>
                  <script>
                    window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
                  </script>
                </body>
                </html>
                """.formatted(assets);
    }

    private static InputStream resource(String path) throws IOException {
        InputStream in = DocsRoutes.class.getResourceAsStream(path);
        if (in == null) throw new IOException(path + " is missing from the classpath");
        return in;
    }
}
