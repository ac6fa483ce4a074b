package dev.runbox.conformance;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** An HTTP server on 127.0.0.1 that records every POST a Runbox sends it and answers 200. */
final class CallbackReceiver implements AutoCloseable {

    record Call(String path, Map<String, String> headers, byte[] body) {
        String header(String name) {
            return headers.get(name);
        }
    }

    private final HttpServer server;
    private final List<Call> calls = new CopyOnWriteArrayList<>();

    private CallbackReceiver(HttpServer server) {
        this.server = server;
    }

    static CallbackReceiver start() throws IOException {
        CallbackReceiver r = new CallbackReceiver(HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0));
        r.server.createContext("/", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            ex.getRequestHeaders().forEach((k, v) -> headers.put(k, v.get(0)));
            r.calls.add(new Call(ex.getRequestURI().getPath(), headers, body));
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        r.server.start();
        return r;
    }

    /** A URL of this receiver; {@code name} tells the calls for one test from the others'. */
    String url(String name) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/" + name;
    }

    List<Call> callsTo(String name) {
        return calls.stream().filter(c -> c.path().equals("/" + name)).toList();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
