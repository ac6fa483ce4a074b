package dev.runbox.api;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.staticfiles.Location;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The pages: {@code GET /} (the playground) and {@code GET /monitor}, plain HTML from the jar, with
 * their scripts and styles under {@code /assets/} and the editor (CodeMirror) from its webjar under
 * {@code /webjars/}. Nothing is fetched from a CDN; the pages only call the public API.
 */
final class PageRoutes {

    static final String ASSETS = "/pages/assets";

    private static final String CODEMIRROR_POM = "/META-INF/maven/org.webjars.npm/codemirror/pom.properties";

    // the editor's path carries the webjar's version, so the page follows the dependency when upgraded
    private final String playground = read("/pages/index.html")
            .replace("@CODEMIRROR@", "/webjars/codemirror/" + DocsRoutes.webjarVersion(CODEMIRROR_POM));
    private final String monitor = read("/pages/monitor.html");

    static void serveAssets(JavalinConfig c) {
        c.staticFiles.add(s -> {
            s.hostedPath = "/assets";
            s.directory = ASSETS;
            s.location = Location.CLASSPATH;
        });
    }

    void playground(Context ctx) {
        ctx.html(playground);
    }

    void monitor(Context ctx) {
        ctx.html(monitor);
    }

    private static String read(String path) {
        try (InputStream in = PageRoutes.class.getResourceAsStream(path)) {
            if (in == null) throw new IOException(path + " is missing from the classpath");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the page " + path, e);
        }
    }
}
