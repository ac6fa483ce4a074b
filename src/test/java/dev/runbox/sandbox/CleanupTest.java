package dev.runbox.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runbox.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static dev.runbox.testing.TestServer.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Programs that try to outlive their run. By the time the result is stored, no process of the
 * server's sandbox uids (not even a zombie), no run cgroup and no staging dir may be left: checked
 * right after the result, without waiting.
 */
class CleanupTest {

    private static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        // no sandboxes made ahead: then nothing at all of this server may remain after a run
        server = TestServer.start(Map.of("workers", "2", "prepared-sandboxes", "0"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) server.close();
    }

    /**
     * Python that starts {@code daemon} (statements run in a detached grandchild, after it has told
     * the program it is up) and then runs {@code main}. The grandchild double-forks away from the
     * program, leads its own session and ignores SIGTERM and SIGHUP.
     */
    private static String withDaemon(String daemon, String main) {
        return """
                import os, signal, sys, time
                ready_r, ready_w = os.pipe()
                if os.fork() == 0:
                    os.setsid()
                    if os.fork() == 0:
                        signal.signal(signal.SIGTERM, signal.SIG_IGN)
                        signal.signal(signal.SIGHUP, signal.SIG_IGN)
                        os.write(ready_w, b'up')
                %s
                        os._exit(0)
                    os._exit(0)
                assert os.read(ready_r, 2) == b'up'
                print('daemon up', flush=True)
                %s
                """.formatted(daemon.indent(8).stripTrailing(), main.stripTrailing());
    }

    @Test
    void leftover_checks_see_a_run_in_progress() throws Exception {
        // the checks below look where a run really leaves its traces: while one runs, they find it
        double limit = Math.min(20, 2.0 * TestServer.slowdown());   // a slow host: longer, within the API's 20 s
        String id = server.submit(body("import time\ntime.sleep(" + 1.5 * limit + ")\n", "time_limit_sec", limit));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(Leftovers.processesOfSandboxUids(server)).anyMatch(p -> p.endsWith("python3"));
            assertThat(Leftovers.runCgroups(server)).isNotEmpty();
            assertThat(Leftovers.stagedRuns(server)).isNotEmpty();
        });
        JsonNode r = server.awaitFinal(id);

        assertThat(r.get("status").asText()).as("result %s", r).isEqualTo("OK");
        Leftovers.assertNoneOf(server);
    }

    @Test
    void double_forked_daemon_in_its_own_session_ignoring_SIGTERM_is_gone_when_the_result_is_stored() throws Exception {
        JsonNode r = server.run(body(withDaemon("while True:\n    time.sleep(1)\n", "print('main exits')")));

        assertThat(r.get("status").asText()).as("result %s", r).isEqualTo("OK");
        assertThat(r.get("stdout").asText()).isEqualTo("daemon up\nmain exits\n");
        Leftovers.assertNoneOf(server);
    }

    @Test
    void daemon_holding_stdout_open_neither_holds_the_result_back_nor_outlives_it() throws Exception {
        // the daemon writes on after the program has exited: its stdout is the run's pipe
        String daemon = """
                while True:
                    print('daemon still here', flush=True)
                    time.sleep(0.2)
                """;
        JsonNode r = server.run(body(withDaemon(daemon, "sys.stdout.write('main exits\\n')"), "time_limit_sec", 2.0));

        // had the open pipe kept the run going, the wall limit (4 s) would have made it TLE
        assertThat(r.get("status").asText()).as("result %s", r).isEqualTo("OK");
        assertThat(r.get("stdout").asText()).contains("daemon up\n", "main exits\n", "daemon still here\n");
        Leftovers.assertNoneOf(server);
    }

    @Test
    void zombies_the_program_never_reaped_are_gone_when_the_result_is_stored() throws Exception {
        String zombies = """
                import os
                children = []
                for _ in range(50):
                    pid = os.fork()
                    if pid == 0:
                        os._exit(0)
                    children.append(pid)
                for pid in children:
                    os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)  # exited, left unreaped
                def state(pid):
                    with open(f'/proc/{pid}/stat') as f:
                        return f.read().rsplit(')', 1)[1].split()[0]
                print(sum(state(pid) == 'Z' for pid in children), 'zombies')
                """;
        JsonNode r = server.run(body(zombies));

        assertThat(r.get("status").asText()).as("result %s", r).isEqualTo("OK");
        assertThat(r.get("stdout").asText()).isEqualTo("50 zombies\n");
        Leftovers.assertNoneOf(server);
    }

    @Test
    void daemons_of_a_run_killed_at_its_time_limit_are_gone_when_the_result_is_stored() throws Exception {
        // the limit leaves room for the daemon's start on a slow host (the VM stage's emulated guest)
        JsonNode r = server.run(body(withDaemon("while True:\n    time.sleep(1)\n", "while True:\n    pass\n"),
                "time_limit_sec", Math.min(20, 1.0 * TestServer.slowdown())));

        assertThat(r.get("status").asText()).as("result %s", r).isEqualTo("TLE");
        assertThat(r.get("stdout").asText()).isEqualTo("daemon up\n");
        Leftovers.assertNoneOf(server);
    }

    @Test
    void daemons_of_a_run_killed_for_its_output_are_gone_when_the_result_is_stored() throws Exception {
        JsonNode r = server.run(body(withDaemon("while True:\n    time.sleep(1)\n",
                "while True:\n    sys.stdout.write('x' * 65536)\n")));

        assertThat(r.get("status").asText()).as("result %s", r.get("message")).isEqualTo("OLE");
        Leftovers.assertNoneOf(server);
    }
}
