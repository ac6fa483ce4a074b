package dev.runbox.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runbox.testing.TestStateDirs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Proof that the reset between two runs of one environment leaves nothing, on each backend (bubblewrap:
 * {@link EnvironmentResetTest}; Docker: {@link DockerEnvironmentResetTest}): an attacker runs
 * after a victim in the SAME environment (a pool of one, and the count of environments made unchanged
 * across the runs) and sees, or inherits, nothing of it. The attacker reports everything a run can
 * observe of its surroundings and its own process (files, processes and zombies, SysV and POSIX IPC,
 * unix and TCP sockets, mounts, working directory, environment, rlimits, umask, nice value, signal
 * dispositions and mask, capabilities, CPU affinity); that report must equal the one it gives as the
 * first run of a fresh environment, and the victim must have made each thing it looks for.
 */
abstract class EnvironmentResetContract {

    /** The sandbox under test, as these tests see it. */
    interface Target extends AutoCloseable {
        SandboxOutcome run(RunSpec spec) throws Exception;

        /** Environments made so far: unchanged across runs means they ran in one. */
        long environmentsMade();

        /** Environments waiting for a job. */
        int readyCount();

        /** Whether environments serve more than one run on this host. */
        boolean reusesEnvironments();
    }

    /** Opens the backend with {@code prepared} environments kept ready, reused as {@code reuse} says. */
    abstract Target open(Path state, int uidBase, int prepared, EnvironmentReuse reuse, ExecutorService readers) throws Exception;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> ENV = Map.of("PATH", "/usr/bin:/bin", "HOME", "/box", "TMPDIR", "/tmp", "LANG", "C.UTF-8");
    /** Sandbox uids of a target: see {@link #open}'s two concurrent runs. */
    static final int UIDS = 2 * 3 + 2 + 1;

    private Path state;
    private ExecutorService readers;
    private Target sandbox;
    private int uidBase;

    /** Leaves a mark in every place a run could reach, and tries to change what its successors inherit. */
    private static final String VICTIM = """
            import ctypes, os, resource, signal, socket, sys, time
            done = []
            libc = ctypes.CDLL(None, use_errno=True)
            for d in ('/box', '/tmp', '/dev/shm'):
                open(d + '/victim-mark', 'w').write('x'); done.append('file ' + d)
            for d in ('/', '/dev', '/dev/pts', '/usr', '/.runbox', '/proc'):
                try:
                    open(d + '/victim-mark', 'w').write('x'); done.append('WROTE ' + d)
                except OSError:
                    pass
            os.mkfifo('/tmp/victim-fifo')
            key = ctypes.c_int(0x52425831)
            if libc.shmget(key, ctypes.c_size_t(4096), 0o1666) >= 0: done.append('shm')
            if libc.semget(key, 1, 0o1666) >= 0: done.append('sem')
            if libc.msgget(key, 0o1666) >= 0: done.append('msg')
            libc.mq_open.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.c_int, ctypes.c_void_p]
            if libc.mq_open(b'/rbx-victim-q', os.O_CREAT | os.O_RDWR, 0o666, None) >= 0: done.append('mq')
            r, w = os.pipe()
            if os.fork() == 0:
                # a daemon in a session of its own, holding sockets, a port, a zombie child
                os.setsid()
                if os.fork(): os._exit(0)
                a = socket.socket(socket.AF_UNIX); a.bind('\\0rbx-victim'); a.listen()
                f = socket.socket(socket.AF_UNIX); f.bind('/tmp/rbx-victim.sock'); f.listen()
                t = socket.socket(); t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                t.bind(('127.0.0.1', 45678)); t.listen()
                c = socket.create_connection(('127.0.0.1', 45678)); s, _ = t.accept(); c.close(); s.close()  # TIME_WAIT
                u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(('127.0.0.1', 45679))
                if os.fork() == 0: os._exit(0)  # never reaped by this daemon: a zombie
                signal.signal(signal.SIGTERM, signal.SIG_IGN); signal.signal(signal.SIGHUP, signal.SIG_IGN)
                os.write(w, b'ready')
                time.sleep(3600)
            assert os.read(r, 5) == b'ready'; done.append('daemon')
            # what a successor could inherit, were it forked from this run or its parents
            os.umask(0o777)
            os.environ['VICTIM_SECRET'] = 'x'
            resource.setrlimit(resource.RLIMIT_NOFILE, (16, 16))
            resource.setrlimit(resource.RLIMIT_STACK, (1 << 20, 1 << 20))
            os.nice(10)
            for which, who in ((os.PRIO_PGRP, 0), (os.PRIO_USER, os.getuid()), (os.PRIO_PROCESS, 1), (os.PRIO_PROCESS, os.getppid())):
                try:
                    os.setpriority(which, who, 19); done.append('renice %d %d' % (which, who))
                except OSError:
                    pass
            try:
                os.sched_setaffinity(1, {0}); done.append('affinity of pid 1')
            except OSError:
                pass
            signal.signal(signal.SIGTERM, signal.SIG_IGN); signal.signal(signal.SIGUSR1, signal.SIG_IGN)
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR2})
            os.chdir('/tmp')
            for sig in (signal.SIGSTOP, signal.SIGKILL):
                try:
                    os.kill(1, sig)
                except OSError:
                    pass
            print('\\n'.join(done))
            """;

    /** Reports, as JSON, everything of its surroundings and its own process a run can see. */
    private static final String ATTACKER = """
            import ctypes, errno, json, os, re, resource, signal, socket
            libc = ctypes.CDLL(None, use_errno=True)
            r = {}
            r['umask'] = os.umask(0o22)
            r['nice'] = os.getpriority(os.PRIO_PROCESS, 0)
            r['rlimits'] = {n: resource.getrlimit(getattr(resource, n)) for n in dir(resource) if n.startswith('RLIMIT_')}
            st = dict(l.split(':', 1) for l in open('/proc/self/status').read().splitlines() if ':' in l)
            r['status'] = {k: st[k].strip() for k in ('Uid', 'Gid', 'Groups', 'CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb',
                           'NoNewPrivs', 'Seccomp', 'SigBlk', 'SigIgn', 'SigCgt', 'Cpus_allowed_list')}
            r['affinity_of_1'] = sorted(os.sched_getaffinity(1))
            r['nice_of_1'] = os.getpriority(os.PRIO_PROCESS, 1)
            r['cwd'] = os.getcwd()
            r['env'] = dict(os.environ)
            r['hostname'] = socket.gethostname()
            r['pid'] = os.getpid(); r['ppid'] = os.getppid(); r['sid'] = os.getsid(0); r['pgid'] = os.getpgid(0)
            procs = {}
            for p in os.listdir('/proc'):
                if p.isdigit():
                    try:
                        s = open('/proc/%s/stat' % p).read()
                        procs[p] = s[s.index('(') + 1:s.rindex(')')] + ' ' + s[s.rindex(')') + 2]
                    except FileNotFoundError:
                        pass
            r['procs'] = procs
            for f in ('/proc/sysvipc/shm', '/proc/sysvipc/sem', '/proc/sysvipc/msg', '/proc/net/unix', '/proc/net/tcp',
                      '/proc/net/tcp6', '/proc/net/udp', '/proc/net/udp6', '/proc/net/raw'):
                r[f] = open(f).read()
            # sockets in use and in TIME_WAIT of this network namespace (alloc and mem count the host's)
            r['sockstat'] = re.sub(r' (alloc|mem|memory) [0-9]+', '', open('/proc/net/sockstat').read())
            r['dirs'] = {d: sorted(os.listdir(d)) for d in ('/', '/box', '/tmp', '/dev', '/dev/shm', '/dev/pts', '/.runbox')}
            r['mounts'] = [' '.join(l.split()[3:]) for l in open('/proc/self/mountinfo')]
            key = ctypes.c_int(0x52425831)
            r['shm'] = (libc.shmget(key, ctypes.c_size_t(0), 0), ctypes.get_errno())
            r['sem'] = (libc.semget(key, 0, 0), ctypes.get_errno())
            r['msg'] = (libc.msgget(key, 0), ctypes.get_errno())
            libc.mq_open.argtypes = [ctypes.c_char_p, ctypes.c_int]
            r['mq'] = (libc.mq_open(b'/rbx-victim-q', os.O_RDONLY), ctypes.get_errno())
            def connect(family, address, kind=socket.SOCK_STREAM):
                s = socket.socket(family, kind)
                try:
                    s.connect(address); return 'connected'
                except OSError as e:
                    return errno.errorcode[e.errno]
            r['abstract'] = connect(socket.AF_UNIX, '\\0rbx-victim')
            r['fs_socket'] = connect(socket.AF_UNIX, '/tmp/rbx-victim.sock')
            r['tcp'] = connect(socket.AF_INET, ('127.0.0.1', 45678))
            r['ns'] = {n: os.readlink('/proc/self/ns/' + n) for n in sorted(os.listdir('/proc/self/ns'))}
            print(json.dumps(r, sort_keys=True))
            """;

    /** Opens the target with no environment kept ready (for a backend that keeps none without reuse). */
    void opened(EnvironmentReuse reuse) throws Exception {
        open(0, reuse);
    }

    private void open(int prepared, EnvironmentReuse reuse) throws Exception {
        state = TestStateDirs.fresh();
        readers = Executors.newCachedThreadPool();
        uidBase = 90000 + ThreadLocalRandom.current().nextInt(5000) * 8;
        sandbox = open(state, uidBase, prepared, reuse, readers);
        if (reuse.on()) {
            assumeTrue(sandbox.reusesEnvironments(), "this host's cgroups cannot reset a memory peak between runs: no reuse here");
        }
        if (prepared > 0) await().atMost(Duration.ofSeconds(30)).until(() -> sandbox.readyCount() == prepared);
    }

    @AfterEach
    void close() throws Exception {
        if (sandbox != null) sandbox.close();
        // the environments went with the sandbox: no process of its uids is left
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(Leftovers.processesOfUids(uidBase, uidBase + UIDS)).isEmpty());
        readers.shutdownNow();
        try (Stream<Path> walk = Files.walk(state)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    private static RunSpec python(String name, String source, Duration wall) {
        // writable bytes as the pool's shape, so that runs take its environment
        RunLimits limits = new RunLimits(Duration.ofSeconds(5), wall, 256L << 20, 1.0, 64, 1 << 20, 64L << 20, 256);
        return new RunSpec(List.of("/usr/bin/python3", "/box/" + name), Map.of(name, source.getBytes(StandardCharsets.UTF_8)),
                new byte[0], limits, List.of(), ENV);
    }

    private static String out(SandboxOutcome o) {
        return new String(o.stdout().bytes(), StandardCharsets.UTF_8) + new String(o.stderr().bytes(), StandardCharsets.UTF_8);
    }

    ObjectNode attack() throws Exception {
        SandboxOutcome o = sandbox.run(python("attacker.py", ATTACKER, Duration.ofSeconds(10)));
        assertThat(o.exitCode()).as(out(o)).isEqualTo(0);
        return (ObjectNode) JSON.readTree(o.stdout().bytes());
    }

    @Test
    void an_attacker_after_a_victim_in_the_same_environment_sees_and_inherits_nothing_of_it() throws Exception {
        open(1, new EnvironmentReuse(true, 100));
        long made = sandbox.environmentsMade();
        ObjectNode fresh = attack(); // the first run of a fresh environment: what nothing left looks like
        SandboxOutcome victim = sandbox.run(python("victim.py", VICTIM, Duration.ofSeconds(10)));
        assertThat(victim.termination()).as(out(victim)).isEqualTo(SandboxOutcome.Termination.EXITED);
        assertThat(victim.exitCode()).as(out(victim)).isEqualTo(0);
        String did = new String(victim.stdout().bytes(), StandardCharsets.UTF_8);
        // the victim really made what the attacker looks for, and could write nowhere else
        assertThat(did.lines().toList()).contains("file /box", "file /tmp", "file /dev/shm", "shm", "sem", "msg", "daemon")
                .noneMatch(l -> l.startsWith("WROTE"));
        ObjectNode after = attack();
        assertThat(sandbox.environmentsMade()).as("environments made: all three runs in one").isEqualTo(made);

        // one user namespace: one environment (the ids of the per-run namespaces say nothing: the kernel
        // hands a freed namespace's inode number to the next one; what they hold is checked below)
        assertThat(after.remove("ns").get("user")).isEqualTo(fresh.remove("ns").get("user"));
        // and everything it can see or inherit is as in a fresh environment
        assertThat(after).isEqualTo(fresh);
        // which is: nothing of anyone else
        assertThat(after.get("procs").size()).as("processes: the run's pid 1 and the attacker, %s", after.get("procs")).isEqualTo(2);
        assertThat(after.get("procs").toString()).doesNotContain(" Z").doesNotContain("sleep");
        assertThat(after.get("dirs").get("/tmp")).isEmpty();
        assertThat(after.get("dirs").get("/dev/shm")).isEmpty();
        assertThat(after.get("dirs").get("/box").toString()).isEqualTo("[\"attacker.py\"]");
        assertThat(after.get("/proc/sysvipc/shm").asText().lines().count()).isEqualTo(1); // the header only
        assertThat(after.get("/proc/net/tcp").asText().lines().count()).isEqualTo(1);
        assertThat(after.get("/proc/net/unix").asText().lines().count()).isEqualTo(1);
        assertThat(after.get("shm").get(1).asInt()).isEqualTo(2); // ENOENT
        assertThat(after.get("mq").get(0).asInt()).isEqualTo(-1);
        assertThat(after.get("abstract").asText()).isEqualTo("ECONNREFUSED");
        assertThat(after.get("fs_socket").asText()).isEqualTo("ENOENT");
        assertThat(after.get("tcp").asText()).isEqualTo("ECONNREFUSED");
        assertThat(after.get("cwd").asText()).isEqualTo("/box");
        assertThat(after.get("env").has("VICTIM_SECRET")).isFalse();
        assertThat(after.get("umask").asInt()).isEqualTo(022);
        assertThat(after.get("nice").asInt()).isEqualTo(fresh.get("nice").asInt());
        // the program holds no capability, under no_new_privs and the seccomp filter
        JsonNode status = after.get("status");
        for (String caps : List.of("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")) {
            assertThat(status.get(caps).asText()).as(caps).isEqualTo("0000000000000000");
        }
        assertThat(status.get("NoNewPrivs").asText()).isEqualTo("1");
        assertThat(status.get("Seccomp").asText()).isEqualTo("2");
    }

    @Test
    void a_runs_memory_peak_and_cpu_time_are_its_own_not_those_of_the_run_before() throws Exception {
        // v1 resets the environment's cgroup peak between runs; v2 cannot, so the environment moves into a fresh cgroup
        open(1, new EnvironmentReuse(true, 100));
        long made = sandbox.environmentsMade();
        SandboxOutcome big = sandbox.run(python("big.py", "b = b'x' * (160 << 20)\nprint(len(b))", Duration.ofSeconds(10)));
        assertThat(big.exitCode()).as(out(big)).isEqualTo(0);
        assertThat(big.memoryPeakBytes()).isGreaterThan(150L << 20);
        SandboxOutcome small = sandbox.run(python("small.py", "print(1)", Duration.ofSeconds(10)));
        assertThat(out(small)).isEqualTo("1\n");
        assertThat(small.memoryPeakBytes()).as("peak after a 160 MiB run").isLessThan(64L << 20);
        SandboxOutcome spin = sandbox.run(python("spin.py", "import time\nt = time.process_time()\nwhile time.process_time() - t < 0.5: pass",
                Duration.ofSeconds(20)));
        assertThat(spin.cpuTime()).isGreaterThanOrEqualTo(Duration.ofMillis(500));
        SandboxOutcome after = sandbox.run(python("small.py", "print(2)", Duration.ofSeconds(10)));
        assertThat(after.cpuTime()).as("CPU time after a run that spun 0.5 s").isLessThan(spin.cpuTime());
        assertThat(sandbox.environmentsMade()).as("all four runs in one environment").isEqualTo(made);
    }

    @Test
    void an_environment_serves_at_most_max_runs_then_is_replaced() throws Exception {
        open(1, new EnvironmentReuse(true, 2));
        long made = sandbox.environmentsMade();
        String hello = "print('hi')";
        for (int i = 0; i < 2; i++) assertThat(out(sandbox.run(python("h.py", hello, Duration.ofSeconds(10))))).isEqualTo("hi\n");
        assertThat(sandbox.environmentsMade()).as("two runs in the first environment").isEqualTo(made);
        // the spent one is destroyed and a replacement made in the background
        await().atMost(Duration.ofSeconds(30)).until(() -> sandbox.environmentsMade() == made + 1 && sandbox.readyCount() == 1);
        assertThat(out(sandbox.run(python("h.py", hello, Duration.ofSeconds(10))))).isEqualTo("hi\n");
        assertThat(sandbox.environmentsMade()).isEqualTo(made + 1);
    }

    @Test
    void a_run_killed_at_a_limit_takes_its_environment_with_it() throws Exception {
        open(1, new EnvironmentReuse(true, 100));
        long made = sandbox.environmentsMade();
        SandboxOutcome slept = sandbox.run(python("s.py", "import time\ntime.sleep(60)", Duration.ofMillis(500)));
        assertThat(slept.termination()).isEqualTo(SandboxOutcome.Termination.WALL_TIME_LIMIT);
        await().atMost(Duration.ofSeconds(30)).until(() -> sandbox.environmentsMade() == made + 1 && sandbox.readyCount() == 1);
        ObjectNode next = attack();
        assertThat(next.get("procs").size()).isEqualTo(2);
        assertThat(sandbox.environmentsMade()).as("the next run in the replacement").isEqualTo(made + 1);
    }

    @Test
    void without_reuse_every_run_gets_an_environment_of_its_own() throws Exception {
        open(1, EnvironmentReuse.OFF);
        long made = sandbox.environmentsMade();
        ObjectNode first = attack();
        await().atMost(Duration.ofSeconds(30)).until(() -> sandbox.readyCount() == 1);
        ObjectNode second = attack();
        // the first run's replacement served the second, whose own replacement is made after its take:
        // counted once it is ready, so waited for
        await().atMost(Duration.ofSeconds(30)).until(() -> sandbox.environmentsMade() >= made + 2);
        // each under a uid of its own
        assertThat(second.get("status").get("Uid")).isNotEqualTo(first.get("status").get("Uid"));
        assertThat(second.get("procs").size()).isEqualTo(2);
    }
}
