package dev.runbox.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.core.StreamReadFeature;
import dev.runbox.testing.Sha256;
import dev.runbox.testing.TestServer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.net.BindException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

import static dev.runbox.testing.TestServer.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Hostile programs against the real sandbox, through the HTTP API: each attack must fail inside the
 * run, and the test checks from the host that nothing reached it (connections, files, processes).
 */
abstract class IsolationContract extends SandboxBackendContract {

    /** The program of pid 1 of a run's pid namespace: the backend's init, the only process not the run's. */
    abstract String pidOneProgram();

    /** Variables pid 1 has besides the program's (none of them Runbox's or the host's). */
    Map<String, String> pidOneExtraEnv() {
        return Map.of();
    }

    /** The whole environment a python program may see: exactly what the job says, nothing added. */
    private static final Map<String, String> PROGRAM_ENV = Map.of(
            "PATH", "/usr/local/bin:/usr/bin:/bin",
            "HOME", "/box",
            "LANG", "C.UTF-8",
            "TMPDIR", "/tmp",
            "PYTHONIOENCODING", "utf-8",
            "PYTHONDONTWRITEBYTECODE", "1"); // python's own, from the languages file

    @Override
    Map<String, String> settings() {
        return Map.of("workers", "2"); // two workers: one run attacks while another one runs
    }

    // ---- processes ----

    @Test
    void fork_bomb_is_contained_and_the_server_stays_healthy() throws Exception {
        String bomb = """
                import os
                while True:
                    try:
                        os.fork()
                    except OSError:
                        pass
                """;
        JsonNode r = server.run(body(bomb, "time_limit_sec", 1.0));

        assertThat(r.get("status").asText()).as("result %s", r).isIn("TLE", "RE");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(server.get("/health").statusCode()).isEqualTo(200));
        JsonNode next = server.run(body("print('next')"));
        assertThat(next.get("status").asText()).as("the next run, %s", next).isEqualTo("OK");
        assertThat(next.get("stdout").asText()).isEqualTo("next\n");
    }

    @Test
    void kill_of_every_process_kills_only_the_runs_own() throws Exception {
        // on a slow host (the VM stage's emulated guest) the victim sleeps longer, so it is still there
        // when the killer's python has started, and its limit leaves room for its own start
        double slow = TestServer.slowdown();
        String victim = submitted(body("import time\ntime.sleep(" + Math.min(8, 2 * slow) + ")\nprint('victim finished')\n",
                "time_limit_sec", Math.min(20, 2 * slow)));
        // the victim's python is running on the host before the attack starts
        await().atMost(Duration.ofSeconds(20)).until(() -> Leftovers.processesOfSandboxUids(server).stream()
                .anyMatch(p -> p.endsWith("python3")));
        String killer = """
                import os, signal, time
                children = []
                for _ in range(3):
                    pid = os.fork()
                    if pid == 0:
                        time.sleep(30)
                        os._exit(0)
                    children.append(pid)
                try:
                    os.kill(-1, signal.SIGKILL)
                    print('kill(-1) sent')
                except OSError as e:
                    print('kill(-1) failed', e.errno)
                for pid in children:
                    _, status = os.waitpid(pid, 0)
                    print('child killed by', os.WTERMSIG(status) if os.WIFSIGNALED(status) else None)
                print('killer survived')
                """;
        JsonNode k = server.run(body(killer));
        JsonNode v = server.awaitFinal(victim);

        assertThat(k.get("status").asText()).as("killer %s", k).isEqualTo("OK");
        assertThat(k.get("stdout").asText()).isEqualTo("kill(-1) sent\n" + "child killed by 9\n".repeat(3) + "killer survived\n");
        assertThat(v.get("status").asText()).as("victim %s", v).isEqualTo("OK");
        assertThat(v.get("stdout").asText()).isEqualTo("victim finished\n");
        assertThat(server.get("/health").statusCode()).isEqualTo(200);
    }

    @Test
    void processes_of_a_run_are_capped_at_max_processes() throws Exception {
        int max = server.config.maxProcesses();
        String flood = """
                import errno, os, time
                started, stop = 0, None
                while started < 5000:
                    try:
                        pid = os.fork()
                    except OSError as e:
                        stop = errno.errorcode[e.errno]
                        break
                    if pid == 0:
                        time.sleep(60)
                        os._exit(0)
                    started += 1
                print(started, stop)
                """;
        JsonNode r = server.run(body(flood, "memory_limit_mb", 1024));

        // the sleepers are still there when the program exits: the run's end takes them along
        assertThat(r.get("status").asText()).as("result %s", r).isEqualTo("OK");
        String[] startedAndStop = r.get("stdout").asText().strip().split(" ");
        assertThat(startedAndStop[1]).as("why fork stopped, result %s", r).isEqualTo("EAGAIN");
        assertThat(Integer.parseInt(startedAndStop[0])).as("children started").isBetween(max / 2, max - 1);
    }

    @Test
    void hard_limits_priority_and_scheduling_class_cannot_be_raised() throws Exception {
        String attempt = """
                import json, os, resource
                result = {}
                def attempt(label, action):
                    try:
                        action()
                        result[label] = 'DONE'
                    except (OSError, ValueError) as e:
                        result[label] = 'FAILED'
                for name in ['RLIMIT_NOFILE', 'RLIMIT_FSIZE', 'RLIMIT_CPU', 'RLIMIT_CORE']:
                    res = getattr(resource, name)
                    soft, hard = resource.getrlimit(res)
                    result[name] = [soft, hard]
                    attempt('raise ' + name, lambda: resource.setrlimit(res, (hard + 1, hard + 1)))
                attempt('nice -1', lambda: os.nice(-1))
                attempt('SCHED_FIFO', lambda: os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(1)))
                print(json.dumps(result))
                """;
        JsonNode r = server.run(body(attempt));

        assertThat(r.get("status").asText()).as("result %s", r).isEqualTo("OK");
        JsonNode s = stdoutJson(r);
        long writable = server.config.writableMb() * 1024L * 1024L;
        assertThat(texts(s.get("RLIMIT_NOFILE"))).containsExactly("256", "256");
        assertThat(texts(s.get("RLIMIT_FSIZE"))).containsExactly(Long.toString(writable), Long.toString(writable));
        assertThat(texts(s.get("RLIMIT_CORE"))).containsExactly("0", "0");
        for (String label : List.of("raise RLIMIT_NOFILE", "raise RLIMIT_FSIZE", "raise RLIMIT_CPU", "raise RLIMIT_CORE",
                "nice -1", "SCHED_FIFO")) {
            assertThat(s.get(label).asText()).as("%s, result %s", label, s).isEqualTo("FAILED");
        }
    }

    @Test
    void only_the_runs_own_processes_are_visible() throws Exception {
        String list = """
                import json, os
                me = os.getpid()
                seen = {}
                for p in sorted(int(x) for x in os.listdir('/proc') if x.isdigit()):
                    with open(f'/proc/{p}/cmdline', 'rb') as f:
                        argv0 = f.read().split(b'\\x00')[0].decode()
                    seen['self' if p == me else str(p)] = argv0
                print(json.dumps(seen))
                """;
        JsonNode r = server.run(body(list));

        assertThat(r.get("status").asText()).as("result %s", r).isEqualTo("OK");
        // pid 1 is the backend's init (bwrap, Docker's tini); nothing else of the host is there
        assertThat(stdoutJson(r)).isEqualTo(TestServer.JSON.valueToTree(Map.of("1", pidOneProgram(), "self", "/usr/bin/python3")));
    }

    // ---- network ----

    @Test
    void api_port_of_the_server_is_unreachable() throws Exception {
        JsonNode r = server.run(body(connectTo(List.of(new InetSocketAddress("127.0.0.1", server.runbox.port())))));

        assertThat(r.get("status").asText()).as("result %s", r).isEqualTo("OK");
        assertThat(r.get("stdout").asText()).isEqualTo("127.0.0.1 FAILED\n");
    }

    @Test
    void tcp_listeners_of_the_host_are_unreachable_on_loopback_and_on_its_addresses() throws Exception {
        List<ServerSocket> listeners = new ArrayList<>();
        try {
            for (InetAddress a : hostAddresses()) {
                ServerSocket s = new ServerSocket();
                s.bind(new InetSocketAddress(a, 0), 50);
                listeners.add(s);
                // the listener works: a connection from the host itself is accepted
                try (Socket probe = new Socket(a, s.getLocalPort()); Socket accepted = s.accept()) {
                    assertThat(accepted.isConnected()).isTrue();
                }
            }
            List<InetSocketAddress> targets = listeners.stream()
                    .map(s -> new InetSocketAddress(s.getInetAddress(), s.getLocalPort())).toList();
            JsonNode r = server.run(body(connectTo(targets)));

            assertThat(r.get("status").asText()).as("result %s", r).isEqualTo("OK");
            assertThat(r.get("stdout").asText().lines().toList()).as("result %s", r)
                    .hasSize(targets.size()).allMatch(l -> l.endsWith(" FAILED"));
            for (ServerSocket s : listeners) {
                s.setSoTimeout(200);
                assertThatThrownBy(s::accept).as("a connection to %s from the run", s.getLocalSocketAddress())
                        .isInstanceOf(SocketTimeoutException.class);
            }
        } finally {
            for (ServerSocket s : listeners) s.close();
        }
    }

    @Test
    void udp_datagrams_to_the_host_never_arrive() throws Exception {
        List<DatagramSocket> sockets = new ArrayList<>();
        try {
            for (InetAddress a : hostAddresses()) sockets.add(new DatagramSocket(new InetSocketAddress(a, 0)));
            StringBuilder sends = new StringBuilder("import socket\n");
            for (DatagramSocket d : sockets) {
                String host = d.getLocalAddress().getHostAddress();
                sends.append("""
                        try:
                            s = socket.socket(socket.AF_INET6 if ':' in '%1$s' else socket.AF_INET, socket.SOCK_DGRAM)
                            s.sendto(b'escaped', ('%1$s', %2$d))
                            print('%1$s SENT')
                        except OSError as e:
                            print('%1$s FAILED', e.errno)
                        """.formatted(host, d.getLocalPort()));
            }
            JsonNode r = server.run(body(sends.toString()));

            assertThat(r.get("status").asText()).as("result %s", r).isEqualTo("OK");
            assertThat(r.get("stdout").asText().lines().toList()).as("result %s", r).hasSize(sockets.size());
            for (DatagramSocket d : sockets) {
                d.setSoTimeout(200);
                assertThatThrownBy(() -> d.receive(new DatagramPacket(new byte[64], 64)))
                        .as("a datagram to %s from the run", d.getLocalSocketAddress())
                        .isInstanceOf(SocketTimeoutException.class);
            }
        } finally {
            for (DatagramSocket d : sockets) d.close();
        }
    }

    @Test
    void only_the_loopback_interface_is_visible() throws Exception {
        String list = """
                import json, socket
                with open('/proc/net/dev') as f:
                    proc = [line.split(':')[0].strip() for line in f.read().splitlines()[2:]]
                print(json.dumps({'if_nameindex': sorted(n for _, n in socket.if_nameindex()), 'proc_net_dev': proc}))
                """;
        JsonNode r = server.run(body(list));

        assertThat(r.get("status").asText()).as("result %s", r).isEqualTo("OK");
        assertThat(stdoutJson(r)).isEqualTo(TestServer.JSON.readTree("""
                {"if_nameindex": ["lo"], "proc_net_dev": ["lo"]}"""));
    }

    @Test
    void dns_lookups_fail() throws Exception {
        JsonNode r = server.run(body(lookups()));

        assertThat(r.get("status").asText()).as("result %s", r).isEqualTo("OK");
        assertThat(r.get("stdout").asText()).isEqualTo("example.com FAILED\nrunbox-probe.invalid FAILED\n");
    }

    @Test
    void no_dns_query_reaches_a_resolver_on_the_host_loopback() throws Exception {
        // with no resolv.conf in sight, the C library asks 127.0.0.1:53: listen there on the host
        DatagramSocket resolver;
        try {
            resolver = new DatagramSocket(new InetSocketAddress("127.0.0.1", 53));
        } catch (BindException taken) {
            Assumptions.abort("127.0.0.1:53 is taken, no fake resolver can listen there: " + taken);
            return;
        }
        try (resolver) {
            JsonNode r = server.run(body(lookups()));

            assertThat(r.get("status").asText()).as("result %s", r).isEqualTo("OK");
            resolver.setSoTimeout(200);
            assertThatThrownBy(() -> resolver.receive(new DatagramPacket(new byte[512], 512)))
                    .as("a DNS query from the run").isInstanceOf(SocketTimeoutException.class);
        }
    }

    // ---- files ----

    @Test
    void host_canary_files_are_neither_readable_nor_writable_nor_deletable() throws Exception {
        Path dir = Path.of("/var/tmp", "runbox-test-canary-" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        Path canary = dir.resolve("canary");
        String secret = "canary-" + HexFormat.of().formatHex(randomBytes());
        Files.createDirectory(dir);
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
            Files.writeString(canary, secret);
            Files.setPosixFilePermissions(canary, PosixFilePermissions.fromString("rw-rw-rw-"));
            FileTime modified = Files.getLastModifiedTime(canary);
            String attack = """
                    import os
                    d = '%s'
                    f = d + '/canary'
                    def attempt(label, action):
                        try:
                            result = action()
                            print(label, 'DONE', repr(result)[:200])
                        except OSError as e:
                            print(label, 'FAILED', e.errno)
                    attempt('list', lambda: os.listdir(d))
                    attempt('read', lambda: open(f).read())
                    attempt('append', lambda: open(f, 'a').write('tampered'))
                    attempt('truncate', lambda: os.truncate(f, 0))
                    attempt('chmod', lambda: os.chmod(f, 0o600))
                    attempt('rename', lambda: os.rename(f, f + '.moved'))
                    attempt('delete', lambda: os.unlink(f))
                    attempt('create', lambda: open(d + '/planted', 'w').write('planted'))
                    """.formatted(dir);
            JsonNode r = server.run(body(attack));

            assertThat(r.get("status").asText()).as("result %s", r).isEqualTo("OK");
            assertThat(r.get("stdout").asText()).doesNotContain(secret);
            assertThat(r.get("stdout").asText().lines().toList()).as("result %s", r)
                    .hasSize(8).allMatch(l -> l.contains(" FAILED "));
            assertThat(Files.readString(canary)).isEqualTo(secret);
            assertThat(Files.getPosixFilePermissions(canary)).isEqualTo(PosixFilePermissions.fromString("rw-rw-rw-"));
            assertThat(Files.getLastModifiedTime(canary)).isEqualTo(modified);
            try (Stream<Path> files = Files.list(dir)) {
                assertThat(files.toList()).containsExactly(canary);
            }
        } finally {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path p : files.toList()) Files.delete(p);
            }
            Files.delete(dir);
        }
    }

    @Test
    void secrets_of_the_host_and_of_runbox_are_not_readable() throws Exception {
        assertThat(Path.of("/etc/shadow")).as("the host has a shadow file to protect").exists();
        List<String> paths = List.of("/etc/shadow", "/etc/passwd", "/root", "/home", "/proc/1/root/etc/shadow",
                server.stateDir.toString(), server.stateDir.resolve("runs").toString(),
                server.stateDir.resolve("bin/runbox-launch").toString());
        StringBuilder probe = new StringBuilder("""
                import hashlib, os
                def look(p):
                    try:
                        if os.path.isdir(p):
                            print(p, 'LISTED', len(os.listdir(p)))
                        else:
                            with open(p, 'rb') as f:
                                print(p, 'READ', hashlib.sha256(f.read()).hexdigest())
                    except OSError as e:
                        print(p, 'FAILED', e.errno)
                """);
        for (String p : paths) probe.append("look('").append(p).append("')\n");
        JsonNode r = server.run(body(probe.toString()));

        assertThat(r.get("status").asText()).as("result %s", r).isEqualTo("OK");
        List<String> lines = r.get("stdout").asText().lines().toList();
        assertThat(lines).as("result %s", r).hasSize(paths.size());
        for (int i = 0; i < paths.size(); i++) {
            String line = lines.get(i);
            Path host = Path.of(paths.get(i));
            // a container's image has files at some of these paths: its own, never the host's
            if (line.startsWith(host + " READ ") && Files.isRegularFile(host)) {
                assertThat(line).as("the run read a file at the host path %s", host).isNotEqualTo(host + " READ " + sha256(host));
            } else if (line.startsWith(host + " LISTED ")) {
                assertThat(line).as("the run listed %s", host).isEqualTo(host + " LISTED 0");
            } else {
                assertThat(line).startsWith(host + " FAILED ");
            }
        }
    }

    /**
     * The default sandbox shows /usr and what Runbox mounts; a container would show its whole image
     * (the build's logs in /var/log, root's home…). Each place here is absent or empty: listing it
     * finds nothing, and a file that an image has there (Debian's dpkg.log, root's .bashrc) cannot be read.
     */
    @Test
    void places_a_program_never_needs_are_absent_or_empty() throws Exception {
        List<String> paths = List.of("/var", "/var/log", "/var/log/dpkg.log", "/var/lib/dpkg/status", "/var/tmp",
                "/root", "/root/.bashrc", "/home", "/run", "/srv", "/opt", "/mnt", "/media", "/boot",
                "/sys", "/sys/kernel", "/sys/class/net", "/etc/ssh", "/etc/ssl/private");
        StringBuilder probe = new StringBuilder("""
                import errno, os
                def look(p):
                    try:
                        if os.path.isdir(p):
                            n = len(os.listdir(p))
                            print(p, 'EMPTY' if n == 0 else 'LISTED %d' % n)
                        else:
                            with open(p, 'rb') as f:
                                print(p, 'READ %d' % len(f.read()))
                    except FileNotFoundError:
                        print(p, 'ABSENT')
                    except OSError as e:
                        print(p, 'FAILED', errno.errorcode[e.errno])
                """);
        for (String p : paths) probe.append("look('").append(p).append("')\n");
        JsonNode r = server.run(body(probe.toString()));

        assertThat(r.get("status").asText()).as("result %s", r).isEqualTo("OK");
        List<String> lines = r.get("stdout").asText().lines().toList();
        assertThat(lines).as("result %s", r).hasSize(paths.size());
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < paths.size(); i++) {
            String line = lines.get(i);
            if (!line.equals(paths.get(i) + " ABSENT") && !line.equals(paths.get(i) + " EMPTY")) seen.add(line);
        }
        assertThat(seen).as("places the run could see into (of %s)", lines).isEmpty();
    }

    @Test
    void writes_outside_box_and_tmp_fail_and_reach_nothing_on_the_host() throws Exception {
        String name = "runbox-write-probe-" + HexFormat.of().formatHex(randomBytes());
        List<String> forbidden = List.of("/", "/usr", "/usr/bin", "/bin", "/etc", "/proc", "/var/tmp");
        List<String> allowed = List.of("/box", "/tmp", "/dev/shm");
        String attempt = """
                import errno, json, os
                result = {}
                for d in %s:
                    try:
                        with open(os.path.join(d, '%s'), 'w') as f:
                            f.write('x')
                        result[d] = 'WROTE'
                    except OSError as e:
                        result[d] = errno.errorcode[e.errno]
                print(json.dumps(result))
                """.formatted(pythonList(concat(forbidden, allowed)), name);
        JsonNode r = server.run(body(attempt));

        assertThat(r.get("status").asText()).as("result %s", r).isEqualTo("OK");
        JsonNode written = stdoutJson(r);
        for (String d : forbidden) {
            assertThat(written.get(d).asText()).as("write into %s", d).isNotEqualTo("WROTE");
            assertThat(Path.of(d, name)).as("on the host").doesNotExist();
        }
        // the same attempt works where the program may write: the probe itself is sound
        for (String d : allowed) assertThat(written.get(d).asText()).as("write into %s", d).isEqualTo("WROTE");
    }

    @Test
    void box_and_tmp_are_fresh_in_the_next_run() throws Exception {
        String listing = """
                import json, os
                print(json.dumps({d: sorted(os.listdir(d)) for d in ['/box', '/tmp', '/dev/shm']}))
                """;
        String leaveMarks = """
                for d in ['/box', '/tmp', '/dev/shm']:
                    with open(d + '/left-by-an-earlier-run', 'w') as f:
                        f.write('mark')
                """ + listing;
        JsonNode first = server.run(body(leaveMarks));
        JsonNode second = server.run(body(listing));

        assertThat(first.get("status").asText()).as("result %s", first).isEqualTo("OK");
        assertThat(stdoutJson(first)).isEqualTo(TestServer.JSON.readTree("""
                {"/box": ["left-by-an-earlier-run", "main.py"], "/tmp": ["left-by-an-earlier-run"],
                 "/dev/shm": ["left-by-an-earlier-run"]}"""));
        assertThat(second.get("status").asText()).as("result %s", second).isEqualTo("OK");
        assertThat(stdoutJson(second)).isEqualTo(TestServer.JSON.readTree("""
                {"/box": ["main.py"], "/tmp": [], "/dev/shm": []}"""));
    }

    @Test
    void filling_tmp_and_box_stops_at_the_tmpfs_cap_and_costs_the_host_no_disk() throws Exception {
        long capBytes = server.config.writableMb() * 1024L * 1024L;
        long freeBefore = Files.getFileStore(Path.of("/")).getUsableSpace();
        String fill = """
                import errno, json, os
                chunk = b'f' * (4 << 20)
                result = {}
                for d in ['/tmp', '/box', '/dev/shm']:
                    written, stop = 0, None
                    try:
                        with open(d + '/fill', 'wb', buffering=0) as f:
                            while written < (512 << 20):
                                written += f.write(chunk)
                    except OSError as e:
                        stop = errno.errorcode[e.errno]
                    result[d] = {'written': written, 'stop': stop}
                print(json.dumps(result))
                """;
        // memory for all three full tmpfs, so that the cap, not the memory limit, stops the program
        JsonNode r = server.run(body(fill, "memory_limit_mb", 512, "time_limit_sec", 5.0));
        long freeAfter = Files.getFileStore(Path.of("/")).getUsableSpace();

        assertThat(r.get("status").asText()).as("result %s", r).isEqualTo("OK");
        JsonNode result = stdoutJson(r);
        for (String d : List.of("/tmp", "/box", "/dev/shm")) {
            assertThat(result.get(d).get("stop").asText()).as("%s: %s", d, result).isIn("ENOSPC", "EFBIG");
            assertThat(result.get(d).get("written").asLong()).as("%s: %s", d, result).isBetween(capBytes / 2, capBytes);
        }
        // the program tried 1.5 GiB: none of it went to the host's disk (others' builds may use some)
        assertThat(freeBefore - freeAfter).as("host disk space used meanwhile").isLessThan(512L << 20);
    }

    // ---- privileges and kernel surface ----

    @Test
    void program_runs_unprivileged_with_no_new_privs_and_a_seccomp_filter() throws Exception {
        String status = """
                import json, os
                with open('/proc/self/status') as f:
                    st = dict(line.split(':', 1) for line in f.read().splitlines())
                keys = ['Uid', 'Gid', 'Groups', 'CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb', 'NoNewPrivs', 'Seccomp']
                result = {k: st[k].split() for k in keys}
                try:
                    os.setuid(0)
                    result['setuid0'] = 'DONE'
                except OSError as e:
                    result['setuid0'] = e.errno
                print(json.dumps(result))
                """;
        JsonNode r = server.run(body(status));

        assertThat(r.get("status").asText()).as("result %s", r).isEqualTo("OK");
        JsonNode s = stdoutJson(r);
        int uid = s.get("Uid").get(0).asInt();
        // one of the server's sandbox uids (SandboxHost.uidsFor: prepared ones of bubblewrap and each image too)
        assertThat(uid).isNotZero().isBetween(server.uidBase, server.uidBase + Leftovers.uidCount(server) - 1);
        assertThat(texts(s.get("Uid"))).as("real, effective, saved, fs uid").containsOnly(Integer.toString(uid));
        assertThat(texts(s.get("Gid"))).as("gids").containsOnly(Integer.toString(uid));
        // none, or (Docker) only the run's own gid
        assertThat(texts(s.get("Groups"))).as("supplementary groups").isSubsetOf(Integer.toString(uid));
        for (String caps : List.of("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")) {
            assertThat(texts(s.get(caps))).as(caps).containsExactly("0000000000000000");
        }
        assertThat(texts(s.get("NoNewPrivs"))).containsExactly("1");
        assertThat(texts(s.get("Seccomp"))).as("seccomp mode (2 = filter)").containsExactly("2");
        // EPERM, or EINVAL as here: uid 0 does not even exist in the run's user namespace
        assertThat(s.get("setuid0").asText()).as("errno of setuid(0)").isIn("1", "22");
    }

    @Test
    void dangerous_syscalls_fail_with_EPERM() throws Exception {
        Assumptions.assumeTrue(System.getProperty("os.arch").equals("amd64"), "the syscall numbers below are x86_64's");
        // each call is made in a forked child (so one that succeeds changes nothing for the next);
        // arguments are valid where that matters, so that without the filter most would succeed
        String probes = """
                import ctypes, json, os, time
                libc = ctypes.CDLL(None, use_errno=True)
                libc.syscall.restype = ctypes.c_long
                def arg(a):
                    return ctypes.c_long(a) if isinstance(a, int) else a
                def attempt(nr, *args):
                    pid = os.fork()
                    if pid == 0:
                        ctypes.set_errno(0)
                        r = libc.syscall(ctypes.c_long(nr), *[arg(a) for a in args])
                        os._exit(0 if r >= 0 else min(ctypes.get_errno(), 255))
                    _, status = os.waitpid(pid, 0)
                    return os.WEXITSTATUS(status) if os.WIFEXITED(status) else -os.WTERMSIG(status)
                bpf_attr = ctypes.create_string_buffer(128)
                ctypes.memmove(bpf_attr, (ctypes.c_uint32 * 4)(2, 4, 4, 1), 16)   # an array map of one int
                perf_attr = ctypes.create_string_buffer(128)
                ctypes.memmove(perf_attr, (ctypes.c_uint32 * 2)(1, 64), 8)         # software cpu-clock
                ctypes.memmove(ctypes.addressof(perf_attr) + 40, (ctypes.c_uint64 * 1)(0x60), 8)  # user space only
                uring_params = ctypes.create_string_buffer(120)
                now = (ctypes.c_long * 2)(int(time.time()), 0)
                result = {
                    'bpf': attempt(321, 0, bpf_attr, 128),
                    'perf_event_open': attempt(298, perf_attr, 0, -1, -1, 0),
                    'userfaultfd': attempt(323, os.O_CLOEXEC | os.O_NONBLOCK | 1),    # user-mode faults only
                    'io_uring_setup': attempt(425, 1, uring_params),
                    'keyctl': attempt(250, 0, -3, 0),                                # id of the session keyring
                    'unshare_user': attempt(272, 0x10000000),                          # CLONE_NEWUSER
                    'mount': attempt(165, ctypes.c_char_p(b'none'), ctypes.c_char_p(b'/tmp'),
                                     ctypes.c_char_p(b'tmpfs'), 0, None),
                    'ptrace': attempt(101, 0, 0, 0, 0),                                # PTRACE_TRACEME
                    'clock_settime': attempt(227, 0, now),                             # CLOCK_REALTIME, to now
                    'syslog': attempt(103, 10, None, 0),                               # size of the kernel log
                }
                print(json.dumps(result))
                """;
        JsonNode r = server.run(body(probes));

        assertThat(r.get("status").asText()).as("result %s", r).isEqualTo("OK");
        Map<String, Integer> errnos = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = stdoutJson(r).fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            errnos.put(e.getKey(), e.getValue().asInt());
        }
        assertThat(errnos).as("errno of each call (1 = EPERM, 0 = it worked)").containsOnlyKeys(
                "bpf", "perf_event_open", "userfaultfd", "io_uring_setup", "keyctl", "unshare_user", "mount",
                "ptrace", "clock_settime", "syslog");
        assertThat(errnos.values()).as("errno of each call: %s", errnos).containsOnly(1);
    }

    @Test
    void environment_holds_only_the_documented_variables() throws Exception {
        String dump = """
                import json, os
                env = {'self': dict(os.environ)}
                for p in os.listdir('/proc'):
                    if p.isdigit():
                        try:
                            with open(f'/proc/{p}/environ', 'rb') as f:
                                raw = f.read()
                        except OSError as e:
                            raw = b''
                        entries = [x.decode('utf-8', 'replace') for x in raw.split(b'\\x00') if x]
                        env[p] = dict(x.split('=', 1) if '=' in x else (x, None) for x in entries)
                print(json.dumps(env))
                """;
        JsonNode r = server.run(body(dump));

        assertThat(r.get("status").asText()).as("result %s", r).isEqualTo("OK");
        JsonNode all = stdoutJson(r);
        assertThat(toMap(all.get("self"))).as("os.environ").isEqualTo(PROGRAM_ENV);
        assertThat(all.has("1")).as("/proc/1 seen, result %s", r).isTrue();
        for (Iterator<Map.Entry<String, JsonNode>> it = all.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            Map<String, String> allowed = new LinkedHashMap<>(PROGRAM_ENV);
            if (e.getKey().equals("1")) allowed.putAll(pidOneExtraEnv());
            assertThat(allowed).as("/proc/%s/environ", e.getKey()).containsAllEntriesOf(toMap(e.getValue()));
        }
        // and so nothing of the server's (this JVM's) own environment, by name or by value
        for (Map.Entry<String, String> own : System.getenv().entrySet()) {
            String value = own.getValue();
            boolean alsoDocumented = PROGRAM_ENV.entrySet().stream()
                    .anyMatch(e -> e.getKey().contains(value) || e.getValue().contains(value));
            if (value.length() < 8 || alsoDocumented) continue;
            assertThat(r.get("stdout").asText()).as("value of the server's %s", own.getKey()).doesNotContain(value);
        }
    }

    // ---- descriptors, stdin, output encoding ----

    @Test
    void only_stdin_stdout_and_stderr_are_open_at_start() throws Exception {
        String fds = """
                import fcntl, json
                open_fds = []
                for fd in range(1 << 16):
                    try:
                        fcntl.fcntl(fd, fcntl.F_GETFD)
                        open_fds.append(fd)
                    except OSError:
                        pass
                print(json.dumps(open_fds))
                """;
        JsonNode r = server.run(body(fds));

        assertThat(r.get("status").asText()).as("result %s", r).isEqualTo("OK");
        assertThat(stdoutJson(r)).isEqualTo(TestServer.JSON.readTree("[0, 1, 2]"));
    }

    @Test
    void reading_stdin_past_its_end_returns_end_of_file() throws Exception {
        String reader = """
                import os, sys
                data = sys.stdin.read()
                again = sys.stdin.read()
                raw = os.read(0, 100)
                print(len(data), repr(again), repr(raw))
                """;
        JsonNode r = server.run(body(reader, "stdin_data", "twelve bytes"));

        assertThat(r.get("status").asText()).as("result %s", r).isEqualTo("OK");
        assertThat(r.get("stdout").asText()).isEqualTo("12 '' b''\n");
    }

    @Test
    void stdin_with_NUL_bytes_arrives_intact() throws Exception {
        JsonNode r = server.run(body("import sys\nprint(sys.stdin.buffer.read().hex())\n", "stdin_data", "a\0b\0\0c\n"));

        assertThat(r.get("status").asText()).as("result %s", r).isEqualTo("OK");
        assertThat(r.get("stdout").asText()).isEqualTo("6100620000630a\n");
    }

    @Test
    void output_with_invalid_UTF_8_and_NUL_comes_back_as_valid_JSON() throws Exception {
        // 'ok ' FF FE '|' NUL '|' C3 28 '|' ESC '[31m|end' LF, and NUL FF LF on stderr
        String garbage = """
                import sys
                sys.stdout.buffer.write(bytes.fromhex('6f6b20fffe7c007cc3287c1b5b33316d7c656e640a'))
                sys.stderr.buffer.write(bytes.fromhex('00ff0a'))
                """;
        String id = submitted(body(garbage));
        server.awaitFinal(id);
        HttpResponse<byte[]> raw = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(server.base() + "/result/" + id)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());

        assertThat(raw.statusCode()).isEqualTo(200);
        String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(raw.body())).toString();
        assertThat(text.chars().filter(c -> c < 0x20)).as("raw control characters in the body").isEmpty();
        ObjectMapper strict = JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
        JsonNode r = strict.readTree(text);
        assertThat(r.get("status").asText()).as("result %s", r).isEqualTo("OK");
        assertThat(r.get("stdout").asText()).isEqualTo("ok \uFFFD\uFFFD|\u0000|\uFFFD(|\u001B[31m|end\n");
        assertThat(r.get("stderr").asText()).isEqualTo("\u0000\uFFFD\n");
        assertThat(text).contains("\\u0000");
    }

    // ---- helpers ----

    private String submitted(com.fasterxml.jackson.databind.node.ObjectNode body) throws Exception {
        return server.submit(body);
    }

    private static JsonNode stdoutJson(JsonNode result) throws Exception {
        return TestServer.JSON.readTree(result.get("stdout").asText());
    }

    /** A program that tries a TCP connection to each target and prints "HOST FAILED" or "HOST CONNECTED". */
    private static String connectTo(List<InetSocketAddress> targets) {
        StringBuilder p = new StringBuilder("import socket\n");
        for (InetSocketAddress t : targets) {
            String host = t.getAddress().getHostAddress();
            p.append("""
                    try:
                        socket.create_connection(('%1$s', %2$d), timeout=3)
                        print('%1$s CONNECTED')
                    except OSError:
                        print('%1$s FAILED')
                    """.formatted(host, t.getPort()));
        }
        return p.toString();
    }

    private static String lookups() {
        return """
                import socket
                for name in ['example.com', 'runbox-probe.invalid']:
                    try:
                        socket.getaddrinfo(name, 80)
                        print(name, 'RESOLVED')
                    except OSError:
                        print(name, 'FAILED')
                """;
    }

    /** Loopback and every address of this host's interfaces that are up (IPv6 link-local left out). */
    private static List<InetAddress> hostAddresses() throws Exception {
        List<InetAddress> addresses = new ArrayList<>(List.of(InetAddress.getByName("127.0.0.1")));
        for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nif.isUp() || nif.isLoopback()) continue;
            for (InetAddress a : Collections.list(nif.getInetAddresses())) {
                if (a instanceof Inet6Address && a.isLinkLocalAddress()) continue;
                addresses.add(a);
            }
        }
        return addresses;
    }

    private static String sha256(Path file) throws Exception {
        return Sha256.hex(Files.readAllBytes(file));
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[8];
        ThreadLocalRandom.current().nextBytes(b);
        return b;
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static Map<String, String> toMap(JsonNode object) {
        Map<String, String> m = new LinkedHashMap<>();
        object.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().isNull() ? null : e.getValue().asText()));
        return m;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static String pythonList(List<String> items) {
        return items.stream().map(s -> "'" + s + "'").collect(java.util.stream.Collectors.joining(", ", "[", "]"));
    }
}
