package dev.runbox.testing;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Reads a whole Server-Sent Events stream (until the server closes it) into its events. */
public final class SseLines {
    private SseLines() {
    }

    public record Event(String name, String data) {
        public JsonNode json() throws IOException {
            return TestServer.JSON.readTree(data);
        }
    }

    public record Stream_(HttpResponse<Stream<String>> response, List<Event> events, List<String> comments) {
    }

    /** GETs {@code url} with Accept: text/event-stream and reads until the stream ends (at most 60 s). */
    public static Stream_ read(String url) throws Exception {
        return read(url, new String[0]);
    }

    /** As {@link #read(String)}, with more request headers (name, value, name, value…). */
    public static Stream_ read(String url, String... headers) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Accept", "text/event-stream")
                .timeout(Duration.ofSeconds(60)).GET();
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        HttpRequest req = b.build();
        HttpResponse<Stream<String>> r = client.sendAsync(req, HttpResponse.BodyHandlers.ofLines()).get(60, TimeUnit.SECONDS);
        List<Event> events = new ArrayList<>();
        List<String> comments = new ArrayList<>();
        String[] name = {null};
        StringBuilder data = new StringBuilder();
        try (Stream<String> lines = r.body()) {
            lines.forEach(line -> {
                if (line.isEmpty()) {
                    if (name[0] != null || data.length() > 0) events.add(new Event(name[0], data.toString()));
                    name[0] = null;
                    data.setLength(0);
                } else if (line.startsWith(":")) {
                    comments.add(line.substring(1).trim());
                } else if (line.startsWith("event:")) {
                    name[0] = line.substring(6).trim();
                } else if (line.startsWith("data:")) {
                    if (data.length() > 0) data.append('\n');
                    data.append(line.substring(5).stripLeading());
                }
            });
        }
        return new Stream_(r, events, comments);
    }
}
