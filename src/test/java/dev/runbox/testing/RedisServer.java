package dev.runbox.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;

/**
 * A real {@code redis-server} (the Debian binary) on a free port, with its own data directory and
 * AOF on, for one test class: started and stopped by the test, restartable on the same port and
 * data (to test outages), killable (to test crashes).
 */
public final class RedisServer implements AutoCloseable {

    public static final Path BINARY = Path.of("/usr/bin/redis-server");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

    private final int port;
    private final Path dir;
    private final String password;
    private final List<String> extraArgs;
    private Process process;

    private RedisServer(int port, Path dir, String password, List<String> extraArgs) {
        this.port = port;
        this.dir = dir;
        this.password = password;
        this.extraArgs = extraArgs;
    }

    /** A plain server: AOF on, no password. */
    public static RedisServer start() throws IOException {
        return start(null);
    }

    /** A server that requires {@code password} (null: none), with {@code extraArgs} for redis-server. */
    public static RedisServer start(String password, String... extraArgs) throws IOException {
        if (!Files.isExecutable(BINARY)) {
            throw new IllegalStateException(BINARY + " is missing: install it with `apt-get install -y redis-server` (./runbox test does)");
        }
        RedisServer s = new RedisServer(freePort(), Files.createTempDirectory("runbox-redis-"), password, List.of(extraArgs));
        s.startProcess();
        return s;
    }

    /** A port that was free a moment ago, with its cluster bus port (+10000) free too. */
    public static int freePort() throws IOException {
        for (int i = 0; i < 50; i++) {
            int p;
            try (ServerSocket s = new ServerSocket(0)) {
                p = s.getLocalPort();
            }
            if (p + 10000 > 65535) continue;
            try (ServerSocket bus = new ServerSocket(p + 10000)) {
                return p;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IOException("no free port pair found");
    }

    private void startProcess() throws IOException {
        List<String> cmd = new ArrayList<>(List.of(BINARY.toString(),
                "--port", Integer.toString(port), "--bind", "127.0.0.1", "--dir", dir.toString(),
                "--appendonly", "yes", "--appendfsync", "always", "--save", "", "--daemonize", "no",
                "--maxmemory-policy", "noeviction", "--logfile", ""));
        if (password != null) cmd.addAll(List.of("--requirepass", password));
        cmd.addAll(extraArgs);
        process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.log").toFile())).start();
        await().atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(20)).ignoreExceptions().until(() -> {
            if (!process.isAlive()) throw new IllegalStateException("redis-server exited: " + log());
            return command("PING").equals("+PONG");
        });
    }

    public int port() {
        return port;
    }

    /** {@code redis://[:password@]127.0.0.1:port} */
    public String url() {
        return "redis://" + (password == null ? "" : ":" + password + "@") + "127.0.0.1:" + port;
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Kills the server at once (SIGKILL), as a crash would; its AOF stays for {@link #restart}. */
    public void kill() throws InterruptedException {
        if (process == null) return;
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** Starts it again on the same port and data directory. */
    public void restart() throws IOException {
        if (isRunning()) throw new IllegalStateException("still running");
        startProcess();
    }

    /**
     * Sends one command (inline RESP) and returns the first line of the reply, e.g. {@code +PONG},
     * {@code :3}, {@code $5}; authenticates first when the server has a password.
     */
    public String command(String... args) throws IOException {
        return send(args, false);
    }

    /** Sends one command and returns the whole reply as raw RESP text (for bulk replies such as INFO). */
    public String commandRaw(String... args) throws IOException {
        return send(args, true);
    }

    /** One command on a fresh connection; {@code whole}: read a bulk reply's body too, not just its first line. */
    private String send(String[] args, boolean whole) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            if (password != null) {
                out.write(resp("AUTH", password));
                readLine(in);
            }
            out.write(resp(args));
            out.flush();
            String first = readLine(in);
            if (!whole || !first.startsWith("$")) return first;
            int len = Integer.parseInt(first.substring(1));
            if (len < 0) return null;
            byte[] body = in.readNBytes(len + 2);
            return new String(body, 0, len, StandardCharsets.UTF_8);
        }
    }

    private static byte[] resp(String... args) {
        StringBuilder b = new StringBuilder("*").append(args.length).append("\r\n");
        for (String a : args) {
            b.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(a).append("\r\n");
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            if (c != '\r') b.write(c);
        }
        return b.toString(StandardCharsets.UTF_8);
    }

    public String log() {
        try {
            return Files.readString(dir.resolve("redis.log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() throws Exception {
        kill();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
