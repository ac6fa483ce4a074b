package dev.runbox.testing;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * A local Redis Cluster of three masters (no replicas), made by the test with
 * {@code redis-server --cluster-enabled yes} × 3 and {@code redis-cli --cluster create}.
 */
public final class RedisCluster implements AutoCloseable {

    private final List<RedisServer> nodes;

    private RedisCluster(List<RedisServer> nodes) {
        this.nodes = nodes;
    }

    public static RedisCluster start() throws Exception {
        List<RedisServer> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                nodes.add(RedisServer.start(null, "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                        "--cluster-node-timeout", "5000"));
            }
            List<String> cmd = new ArrayList<>(List.of("/usr/bin/redis-cli", "--cluster", "create"));
            for (RedisServer n : nodes) cmd.add("127.0.0.1:" + n.port());
            cmd.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("redis-cli --cluster create failed: " + out);
            }
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
                for (RedisServer n : nodes) {
                    String info = n.commandRaw("CLUSTER", "INFO");
                    if (info == null || !info.contains("cluster_state:ok")) return false;
                }
                return true;
            });
            return new RedisCluster(nodes);
        } catch (Exception e) {
            for (RedisServer n : nodes) n.close();
            throw e;
        }
    }

    /** {@code redis-cluster://127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3} */
    public String url() {
        return "redis-cluster://" + String.join(",", nodes.stream().map(n -> "127.0.0.1:" + n.port()).toList());
    }

    public List<RedisServer> nodes() {
        return nodes;
    }

    @Override
    public void close() throws Exception {
        for (RedisServer n : nodes) n.close();
    }
}
