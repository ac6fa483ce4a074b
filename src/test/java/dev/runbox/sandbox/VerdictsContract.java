package dev.runbox.sandbox;

import dev.runbox.testing.Sha256;
import dev.runbox.testing.TestServer;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static dev.runbox.testing.TestServer.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Each verdict, earned by a real python3 program in the real sandbox, through the HTTP API; after
 * every run nothing of it may be left on the host.
 */
abstract class VerdictsContract extends SandboxBackendContract {

    /** Small, so that a flood reaches it fast; the results must be cut at exactly this many bytes. */
    private static final int OUTPUT_CAP = 65536;

    @Override
    Map<String, String> settings() {
        return Map.of("output-cap-bytes", Integer.toString(OUTPUT_CAP));
    }

    @Test
    void hello_gets_OK() throws Exception {
        JsonNode r = server.run(body("print('hello')"));

        assertThat(r.get("status").asText()).as("result %s", r).isEqualTo("OK");
        assertThat(r.get("stdout").asText()).isEqualTo("hello\n");
        assertThat(r.get("stderr").asText()).isEmpty();
        assertThat(r.get("exit_code").asInt(-1)).isZero();
        assertThat(r.get("signal").isNull()).as("signal of %s", r).isTrue();
        assertThat(r.get("stdout_truncated").asBoolean()).isFalse();
    }

    @Test
    void a_stdin_far_larger_than_any_pipe_buffer_reaches_the_program_whole() throws Exception {
        // 3 MB: more than a pipe's 64 KiB and than the Docker sandbox's job buffer, so the job must stream
        String stdin = "0123456789abcdef".repeat(3 * 1024 * 1024 / 16);
        String program = "import hashlib, sys\ndata = sys.stdin.buffer.read()\nprint(len(data), hashlib.sha256(data).hexdigest())\n";
        JsonNode r = server.run(body(program, "stdin_data", stdin, "time_limit_sec", Math.min(20, 2.0 * TestServer.slowdown())));

        assertThat(r.get("status").asText()).as("result %s", r.get("message")).isEqualTo("OK");
        assertThat(r.get("stdout").asText().strip()).isEqualTo(stdin.length() + " " + Sha256.hex(stdin.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    @Test
    void busy_loop_gets_TLE_at_its_cpu_limit() throws Exception {
        JsonNode r = server.run(body("while True:\n    pass\n", "time_limit_sec", 1.0));

        assertThat(r.get("status").asText()).as("result %s", r).isEqualTo("TLE");
        double cpu = r.get("cpu_time_sec").asDouble();
        double wall = r.get("time_sec").asDouble();
        // Stopped at the CPU limit of 1 s; on a box too busy to give the loop a core it may instead
        // reach the wall limit (2 s) first. Either way at a limit, never before, and not long after
        // (how long after is the watch's reaction, which a slow host slows: seen 2.6 s of CPU under
        // emulation, 16 times slower, where a fresh container's own start is counted too).
        double k = TestServer.slowdown();
        assertThat(cpu >= 1.0 || wall >= 2.0).as("stopped at a limit, not before: result %s", r).isTrue();
        assertThat(cpu).as("cpu_time_sec, result %s", r).isLessThanOrEqualTo(1.0 + 0.3 * k);
        assertThat(wall).as("time_sec, result %s", r).isLessThanOrEqualTo(2.0 + 1.5 * k);
        assertThat(r.get("message").asText()).as("result %s", r).containsPattern("(CPU|wall) time limit");
    }

    @Test
    void sleeper_gets_TLE_at_its_wall_limit() throws Exception {
        // wall limit = 2 × time_limit_sec at one core or more (on a slow host all of it k times longer)
        double k = TestServer.slowdown();   // at most 20: a time limit within the API's
        JsonNode r = server.run(body("import time\ntime.sleep(60)\nprint('woke up')\n", "time_limit_sec", 1.0 * k));

        assertThat(r.get("status").asText()).as("result %s", r).isEqualTo("TLE");
        assertThat(r.get("message").asText()).as("result %s", r).contains("wall time");
        assertThat(r.get("stdout").asText()).isEmpty();
        assertThat(r.get("time_sec").asDouble()).as("result %s", r).isBetween(2.0 * k, (2.0 + 1.5) * k);
        assertThat(r.get("cpu_time_sec").asDouble()).as("result %s", r).isLessThan(0.5 * k);
    }

    @Test
    void memory_hog_gets_MLE() throws Exception {
        String hog = """
                chunks = []
                while True:
                    chunks.append(b'm' * (1 << 20))  # a fresh, written MiB each time
                """;
        JsonNode r = server.run(body(hog, "memory_limit_mb", 64));

        assertThat(r.get("status").asText()).as("result %s", r).isEqualTo("MLE");
        assertThat(r.get("memory_kb").asLong()).as("result %s", r).isBetween(56L * 1024, 64L * 1024);
    }

    @Test
    void memory_hog_in_a_child_gets_MLE_even_when_the_parent_exits_0() throws Exception {
        String hog = """
                import os
                pid = os.fork()
                if pid == 0:
                    chunks = []
                    while True:
                        chunks.append(b'c' * (1 << 20))
                _, status = os.waitpid(pid, 0)
                print('child ended by signal', os.WTERMSIG(status) if os.WIFSIGNALED(status) else None)
                """;
        JsonNode r = server.run(body(hog, "memory_limit_mb", 64));

        assertThat(r.get("status").asText()).as("result %s", r).isEqualTo("MLE");
        assertThat(r.get("exit_code").asInt(-1)).as("the parent's own exit, result %s", r).isZero();
        assertThat(r.get("stdout").asText()).isEqualTo("child ended by signal 9\n");
    }

    @Test
    void stdout_flood_gets_OLE_with_stdout_cut_at_the_cap() throws Exception {
        String flood = """
                import sys
                chunk = 'o' * (1 << 20)
                for _ in range(1024):
                    sys.stdout.write(chunk)
                """;
        JsonNode r = server.run(body(flood));

        assertThat(r.get("status").asText()).as("result %s", r.get("message")).isEqualTo("OLE");
        assertThat(r.get("stdout_truncated").asBoolean()).isTrue();
        assertThat(r.get("stderr_truncated").asBoolean()).isFalse();
        String out = r.get("stdout").asText();
        assertThat(out).hasSize(OUTPUT_CAP);
        assertThat(out.chars().allMatch(c -> c == 'o')).as("stdout is the program's bytes").isTrue();
    }

    @Test
    void stderr_flood_gets_OLE_with_stderr_cut_at_the_cap() throws Exception {
        String flood = """
                import sys
                chunk = 'e' * (1 << 20)
                print('before the flood', flush=True)
                for _ in range(1024):
                    sys.stderr.write(chunk)
                """;
        JsonNode r = server.run(body(flood));

        assertThat(r.get("status").asText()).as("result %s", r.get("message")).isEqualTo("OLE");
        assertThat(r.get("stderr_truncated").asBoolean()).isTrue();
        assertThat(r.get("stdout_truncated").asBoolean()).isFalse();
        assertThat(r.get("stdout").asText()).isEqualTo("before the flood\n");
        String err = r.get("stderr").asText();
        assertThat(err).hasSize(OUTPUT_CAP);
        assertThat(err.chars().allMatch(c -> c == 'e')).as("stderr is the program's bytes").isTrue();
    }

    @Test
    void exit_3_gets_RE_with_exit_code_3_and_its_stdout() throws Exception {
        JsonNode r = server.run(body("import sys\nprint('bye')\nsys.exit(3)\n"));

        assertThat(r.get("status").asText()).as("result %s", r).isEqualTo("RE");
        assertThat(r.get("exit_code").asInt(-1)).isEqualTo(3);
        assertThat(r.get("signal").isNull()).as("signal of %s", r).isTrue();
        assertThat(r.get("stdout").asText()).isEqualTo("bye\n");
    }

    @Test
    void self_inflicted_SIGSEGV_gets_RE_with_signal_11() throws Exception {
        JsonNode r = server.run(body("import os\nprint('about to crash', flush=True)\nos.kill(os.getpid(), 11)\n"));

        assertThat(r.get("status").asText()).as("result %s", r).isEqualTo("RE");
        assertThat(r.get("signal").asInt(-1)).as("result %s", r).isEqualTo(11);
        assertThat(r.get("exit_code").isNull()).as("exit_code of %s", r).isTrue();
        assertThat(r.get("stdout").asText()).isEqualTo("about to crash\n");
    }

    @Test
    void unbounded_recursion_gets_RE_or_MLE() throws Exception {
        String recursion = """
                import sys
                sys.setrecursionlimit(10 ** 8)
                def down(n):
                    return down(n + 1) + 1
                down(0)
                print('unreachable')
                """;
        JsonNode r = server.run(body(recursion, "memory_limit_mb", 128));

        // RE when the stack rlimit or RecursionError stops it, MLE when frames live on the heap
        assertThat(r.get("status").asText()).as("result %s", r.get("message")).isIn("RE", "MLE");
        assertThat(r.get("stdout").asText()).isEmpty();
    }

    @Test
    void half_a_core_holds_a_multithreaded_multiprocess_burner_to_half_a_core() throws Exception {
        // 2 processes × 2 threads, 0.6 s of CPU each: unthrottled that is ~2 cores on this box
        String id = server.submit(body(burner(2, 2, 0.6), "cpu_cores", 0.5, "time_limit_sec", 5.0));
        // what the kernel enforces, whatever else runs on the box: 50 ms per 100 ms period
        assertThat(cpuQuotaWhileRunning()).isEqualTo("50000 100000");
        JsonNode r = server.awaitFinal(id);

        assertThat(r.get("status").asText()).as("result %s", r).isEqualTo("OK");
        double cpu = r.get("cpu_time_sec").asDouble();
        double wall = r.get("time_sec").asDouble();
        assertThat(cpu).as("cpu_time_sec, result %s", r).isGreaterThanOrEqualTo(1.2);
        // what it achieves: on a busy box other load lowers this further, it never raises it
        assertThat(cpu / wall).as("cpu / wall, result %s", r).isLessThanOrEqualTo(0.65);
    }

    @Test
    void one_core_holds_two_burning_processes_to_one_core() throws Exception {
        String id = server.submit(body(burner(2, 1, 0.8), "cpu_cores", 1.0, "time_limit_sec", 5.0));
        assertThat(cpuQuotaWhileRunning()).isEqualTo("100000 100000");
        JsonNode r = server.awaitFinal(id);

        assertThat(r.get("status").asText()).as("result %s", r).isEqualTo("OK");
        double cpu = r.get("cpu_time_sec").asDouble();
        double wall = r.get("time_sec").asDouble();
        assertThat(cpu).as("cpu_time_sec, result %s", r).isGreaterThanOrEqualTo(1.6);
        assertThat(cpu / wall).as("cpu / wall, result %s", r).isLessThanOrEqualTo(1.15);
    }

    /**
     * "quota period" (µs) of the CPU controller of the one run in progress, read from the cgroup that
     * holds its python3 process: the run cgroup, or (Docker) the container's cgroup below it. Other run
     * cgroups are sandboxes prepared ahead, waiting for a job.
     */
    private String cpuQuotaWhileRunning() {
        String[] quota = new String[1];
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20)).ignoreExceptions().until(() -> {
            List<Path> candidates = new ArrayList<>();
            for (Path run : Leftovers.runCgroups(server)) {
                candidates.add(run);
                try (Stream<Path> below = Files.list(run)) {
                    below.filter(Files::isDirectory).forEach(candidates::add);
                }
            }
            for (Path dir : candidates) {
                if (!runsPython(dir)) continue;
                if (Files.exists(dir.resolve("cpu.max"))) {
                    quota[0] = Files.readString(dir.resolve("cpu.max")).strip();
                } else if (Files.exists(dir.resolve("cpu.cfs_quota_us"))) {
                    quota[0] = Files.readString(dir.resolve("cpu.cfs_quota_us")).strip() + " "
                            + Files.readString(dir.resolve("cpu.cfs_period_us")).strip();
                }
            }
            return quota[0] != null;
        });
        return quota[0];
    }

    private static boolean runsPython(Path cgroup) throws java.io.IOException {
        for (String pid : Files.readAllLines(cgroup.resolve("cgroup.procs"))) {
            Path comm = Path.of("/proc", pid.strip(), "comm");
            if (Files.exists(comm) && Files.readString(comm).strip().equals("python3")) return true;
        }
        return false;
    }

    /**
     * {@code processes} processes of {@code threads} busy threads each, every process burning
     * {@code cpuSeconds} of CPU time. A fixed amount of work rather than a fixed time: load from
     * elsewhere on the box can only lower cpu / wall, never make the burner do too little to judge.
     */
    private static String burner(int processes, int threads, double cpuSeconds) {
        return """
                import os, threading, time
                def burn():
                    while time.process_time() < %s:
                        pass
                def burn_in_threads():
                    ts = [threading.Thread(target=burn) for _ in range(%d)]
                    for t in ts: t.start()
                    for t in ts: t.join()
                children = []
                for _ in range(%d - 1):
                    pid = os.fork()
                    if pid == 0:
                        burn_in_threads()
                        os._exit(0)
                    children.append(pid)
                burn_in_threads()
                for pid in children:
                    os.waitpid(pid, 0)
                print('burned')
                """.formatted(cpuSeconds, threads, processes);
    }
}
