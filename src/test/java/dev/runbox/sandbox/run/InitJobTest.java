package dev.runbox.sandbox.run;

import dev.runbox.sandbox.RunLimits;
import dev.runbox.sandbox.RunSpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The job as runbox-init reads it: decoded back here by a netstring reader of the test's own, and
 * sent to the real runbox-init (native/init.c, compiled for the test and run without a sandbox:
 * only harmless programs like /bin/cat and /usr/bin/env are started).
 */
class InitJobTest {

    private static final long WRITABLE = 1L << 20;
    private static final byte[] BINARY = {0, 1, (byte) 0xff, 0, '\n', ',', ':', '9', (byte) 0x80};

    private static RunLimits limits(Duration cpu) {
        return new RunLimits(cpu, cpu.multipliedBy(2), 256L << 20, 1.0, 64, 1L << 20, WRITABLE, 64);
    }

    private static RunSpec spec(List<String> argv, Map<String, byte[]> files, Map<String, String> env, Duration cpu) {
        return new RunSpec(argv, files, new byte[0], limits(cpu), List.of(), env);
    }

    // ---- a netstring reader of the test's own ----

    /** Reads "<len>:<bytes>," one at a time; fails on anything else. */
    static final class Netstrings {
        private final byte[] data;
        private int pos;

        Netstrings(byte[] data) {
            this.data = data;
        }

        byte[] next() {
            int colon = pos;
            while (colon < data.length && data[colon] != ':') colon++;
            if (colon == data.length || colon == pos) fail("no netstring length at offset %d", pos);
            String digits = new String(data, pos, colon - pos, StandardCharsets.US_ASCII);
            if (!digits.matches("0|[1-9][0-9]*")) fail("bad netstring length '%s' at offset %d", digits, pos);
            int len = Integer.parseInt(digits);
            int end = colon + 1 + len;
            if (end >= data.length) fail("netstring at offset %d runs past the end", pos);
            if (data[end] != ',') fail("netstring at offset %d does not end with ','", pos);
            byte[] value = Arrays.copyOfRange(data, colon + 1, end);
            pos = end + 1;
            return value;
        }

        String nextString() {
            return new String(next(), StandardCharsets.UTF_8);
        }

        int nextCount() {
            String s = nextString();
            if (!s.matches("0|[1-9][0-9]*")) fail("bad count '%s'", s);
            return Integer.parseInt(s);
        }

        List<String> nextList() {
            int n = nextCount();
            List<String> out = new ArrayList<>();
            for (int i = 0; i < n; i++) out.add(nextString());
            return out;
        }

        boolean atEnd() {
            return pos == data.length;
        }
    }

    /** The message, decoded in the order runbox-init reads it. */
    record Decoded(String go, List<String> argv, List<String> env, Map<String, byte[]> files, List<String> rlimits) {
        static Decoded of(byte[] message) {
            Netstrings in = new Netstrings(message);
            String go = in.nextString();
            List<String> argv = in.nextList();
            List<String> env = in.nextList();
            int fileCount = in.nextCount();
            Map<String, byte[]> files = new LinkedHashMap<>();
            for (int i = 0; i < fileCount; i++) files.put(in.nextString(), in.next());
            List<String> rlimits = in.nextList();
            assertThat(in.atEnd()).as("nothing follows the rlimits: the program's stdin comes next").isTrue();
            return new Decoded(go, argv, env, files, rlimits);
        }
    }

    @Nested
    class Encoding {

        private final RunSpec spec = spec(
                List.of("/usr/bin/python3", "main.py", "--", "héllo wörld", ""),
                Map.of("main.py", "print(1)\n".getBytes(StandardCharsets.UTF_8), "data.bin", BINARY, "empty", new byte[0]),
                Map.of("PATH", "/usr/bin:/bin", "HOME", "/box", "A_FIRST", "1", "EMPTY", "", "PI", "π=3.14"),
                Duration.ofMillis(1500));

        @Test
        void message_starts_with_go() {
            assertThat(Decoded.of(InitJob.encode(spec)).go()).isEqualTo("go");
        }

        @Test
        void argv_comes_verbatim_in_order_with_its_count() {
            // lengths are bytes, not chars: the reader would stumble over "héllo wörld" otherwise
            assertThat(Decoded.of(InitJob.encode(spec)).argv())
                    .containsExactly("/usr/bin/python3", "main.py", "--", "héllo wörld", "");
        }

        @Test
        void environment_is_sorted_key_equals_value() {
            assertThat(Decoded.of(InitJob.encode(spec)).env())
                    .containsExactly("A_FIRST=1", "EMPTY=", "HOME=/box", "PATH=/usr/bin:/bin", "PI=π=3.14");
        }

        @Test
        void files_come_sorted_by_name_with_their_exact_bytes() {
            Map<String, byte[]> files = Decoded.of(InitJob.encode(spec)).files();
            assertThat(files.keySet()).containsExactly("data.bin", "empty", "main.py");
            assertThat(files.get("data.bin")).as("binary, NULs included").isEqualTo(BINARY);
            assertThat(files.get("empty")).isEmpty();
            assertThat(files.get("main.py")).isEqualTo("print(1)\n".getBytes(StandardCharsets.UTF_8));
        }

        @Test
        void rlimits_are_cpu_fsize_and_nofile_of_the_job() {
            assertThat(Decoded.of(InitJob.encode(spec)).rlimits()).containsExactly(
                    "cpu=3:4",                              // 1.5 s rounds up to 2: soft one second past it, hard two
                    "fsize=" + WRITABLE + ":" + WRITABLE,   // no file bigger than a writable tmpfs
                    "nofile=64:64");
        }

        @Test
        void cpu_rlimit_rounds_up_even_a_millisecond_past_a_whole_second() {
            assertThat(InitJob.rlimits(limits(Duration.ofMillis(2001)))).contains("cpu=4:5");
            assertThat(InitJob.rlimits(limits(Duration.ofSeconds(2)))).contains("cpu=3:4");
        }

        @Test
        void a_job_without_files_or_environment_says_so_with_zero_counts() {
            Decoded d = Decoded.of(InitJob.encode(spec(List.of("/usr/bin/true"), Map.of(), Map.of(), Duration.ofSeconds(1))));
            assertThat(d.argv()).containsExactly("/usr/bin/true");
            assertThat(d.env()).isEmpty();
            assertThat(d.files()).isEmpty();
            assertThat(d.rlimits()).hasSize(3);
        }

        @Test
        void the_message_does_not_carry_the_programs_stdin() {
            RunSpec withStdin = new RunSpec(List.of("/bin/cat"), Map.of(), "3:abc,".getBytes(StandardCharsets.US_ASCII),
                    limits(Duration.ofSeconds(1)), List.of(), Map.of());
            byte[] message = InitJob.encode(withStdin);
            Decoded.of(message); // fails unless the message ends right after the rlimits
            assertThat(new String(message, StandardCharsets.UTF_8)).doesNotContain("abc");
        }
    }

    // ---- the real runbox-init ----

    @TempDir
    static Path bin;
    private static Path init;

    @BeforeAll
    static void compileInit() throws Exception {
        init = bin.resolve("runbox-init");
        Process gcc = new ProcessBuilder("gcc", "-O2", "-Wall", "-Werror", "-o", init.toString(), "native/init.c",
                "native/filter.c", "-lseccomp")
                .redirectErrorStream(true).start();
        String said = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(gcc.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(gcc.exitValue()).as("gcc: %s", said).isZero();
    }

    record Run(int exit, byte[] stdout, String stderr) {
        String out() {
            return new String(stdout, StandardCharsets.UTF_8);
        }
    }

    /** Starts runbox-init in {@code workDir} and writes {@code input} to its stdin, then end of file. */
    private static Run runInit(Path workDir, byte[]... input) throws Exception {
        Path out = Files.createTempFile(bin, "out", "");
        Path err = Files.createTempFile(bin, "err", "");
        ProcessBuilder pb = new ProcessBuilder(init.toString()).directory(workDir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().clear();
        pb.environment().put("INHERITED_SECRET", "must-not-reach-the-program");
        Process p = pb.start();
        try (OutputStream in = p.getOutputStream()) {
            for (byte[] b : input) in.write(b);
        } catch (IOException e) {
            // runbox-init stopped reading (it failed): what it said is checked by the test
        }
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("runbox-init did not end");
        }
        return new Run(p.exitValue(), Files.readAllBytes(out), Files.readString(err));
    }

    /** As {@link #runInit}, with fd 13 (init's report fd) open on {@code report}, as runbox-launch's pipe would be. */
    private static Run runInitReporting(Path workDir, Path report, byte[]... input) throws Exception {
        Path out = Files.createTempFile(bin, "out", "");
        Path err = Files.createTempFile(bin, "err", "");
        ProcessBuilder pb = new ProcessBuilder("/bin/bash", "-c", "exec 13>\"$0\" && exec \"$1\"", report.toString(), init.toString())
                .directory(workDir.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().clear();
        Process p = pb.start();
        try (OutputStream in = p.getOutputStream()) {
            for (byte[] b : input) in.write(b);
        } catch (IOException e) {
            // runbox-init stopped reading (it failed): what it said is checked by the test
        }
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("runbox-init did not end");
        }
        return new Run(p.exitValue(), Files.readAllBytes(out), Files.readString(err));
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Nested
    class RoundTrip {

        @TempDir
        Path work;

        @Test
        void init_says_ready_then_execs_with_exactly_the_jobs_environment() throws Exception {
            Map<String, String> env = Map.of("B", "two words", "A", "1", "EMPTY", "", "PI", "π=3.14");
            Run run = runInit(work, InitJob.encode(spec(List.of("/usr/bin/env"), Map.of(), env, Duration.ofSeconds(2))));

            assertThat(run.exit()).isZero();
            assertThat(run.stderr()).isEqualTo("R");
            // sorted as sent; nothing of runbox-init's own environment (INHERITED_SECRET) leaks through
            assertThat(run.out()).isEqualTo("A=1\nB=two words\nEMPTY=\nPI=π=3.14\n");
        }

        @Test
        void an_empty_environment_stays_empty() throws Exception {
            Run run = runInit(work, InitJob.encode(spec(List.of("/usr/bin/env"), Map.of(), Map.of(), Duration.ofSeconds(2))));
            assertThat(run.exit()).isZero();
            assertThat(run.out()).isEmpty();
        }

        @Test
        void in_a_container_the_job_carries_stdin_as_a_file_read_to_its_end_and_a_seccomp_filter() throws Exception {
            String probe = "import os,sys\n"
                    + "data = sys.stdin.buffer.read()\n"
                    + "again = sys.stdin.buffer.read()\n"
                    + "st = dict(l.split(':', 1) for l in open('/proc/self/status').read().splitlines())\n"
                    + "print(data == bytes([0, 1, 255, 0, 10]), again == b'', st['Seccomp'].strip(), st['NoNewPrivs'].strip())\n"
                    + "import ctypes\n"
                    + "libc = ctypes.CDLL(None, use_errno=True)\n"
                    + "print('unshare', libc.unshare(0x10000000), ctypes.get_errno())\n"; // CLONE_NEWUSER
            RunSpec job = new RunSpec(List.of("/usr/bin/python3", "probe.py"), Map.of("probe.py", ascii(probe)),
                    new byte[] {0, 1, (byte) 0xff, 0, '\n'}, limits(Duration.ofSeconds(5)), List.of(), Map.of());
            Run run = runInit(work, InitJob.encodeForContainer(job));

            assertThat(run.exit()).as(run.stderr()).isZero();
            assertThat(run.out()).isEqualTo("True True 2 1\nunshare -1 1\n"); // EPERM from Runbox's filter
        }

        @Test
        void files_are_written_to_the_work_dir_byte_for_byte() throws Exception {
            Map<String, byte[]> files = Map.of("data.bin", BINARY, "main.py", ascii("print(1)\n"), "empty", new byte[0]);
            Run run = runInit(work, InitJob.encode(spec(List.of("/bin/cat", "data.bin"), files, Map.of(), Duration.ofSeconds(2))));

            assertThat(run.exit()).as(run.stderr()).isZero();
            assertThat(run.stdout()).as("the program reads the file it was given").isEqualTo(BINARY);
            assertThat(Files.readAllBytes(work.resolve("data.bin"))).isEqualTo(BINARY);
            assertThat(Files.readAllBytes(work.resolve("main.py"))).isEqualTo(ascii("print(1)\n"));
            assertThat(work.resolve("empty")).isEmptyFile();
            try (var list = Files.list(work)) {
                assertThat(list.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("data.bin", "main.py", "empty");
            }
        }

        @Test
        void a_file_that_already_exists_is_not_overwritten_and_the_program_does_not_start() throws Exception {
            Files.writeString(work.resolve("main.py"), "planted");
            Run run = runInit(work,
                    InitJob.encode(spec(List.of("/bin/cat"), Map.of("main.py", ascii("mine")), Map.of(), Duration.ofSeconds(2))),
                    ascii("program input"));

            assertThat(run.exit()).isEqualTo(125);
            assertThat(run.stderr()).startsWith("Rrunbox-init: create main.py").contains("File exists");
            assertThat(run.stdout()).as("cat never ran").isEmpty();
            assertThat(work.resolve("main.py")).hasContent("planted");
        }

        @Test
        void rlimits_of_the_job_are_in_force_in_the_program() throws Exception {
            Run run = runInit(work, InitJob.encode(
                    spec(List.of("/bin/cat", "/proc/self/limits"), Map.of(), Map.of(), Duration.ofMillis(1500))));

            assertThat(run.exit()).as(run.stderr()).isZero();
            Map<String, List<String>> limits = new LinkedHashMap<>();
            for (String line : run.out().split("\n")) {
                String[] cols = line.trim().split("\\s{2,}");
                if (cols.length >= 3) limits.put(cols[0], List.of(cols[1], cols[2]));
            }
            assertThat(limits.get("Max cpu time")).containsExactly("3", "4");
            assertThat(limits.get("Max file size")).containsExactly(Long.toString(WRITABLE), Long.toString(WRITABLE));
            assertThat(limits.get("Max open files")).containsExactly("64", "64");
        }

        @Test
        void everything_after_the_job_is_the_programs_stdin_untouched() throws Exception {
            byte[] stdin = new byte[70_000];
            for (int i = 0; i < stdin.length; i++) stdin[i] = (byte) (i * 31);
            byte[] looksLikeAJob = ascii("2:go,1:1,9:/bin/true,");
            Run run = runInit(work, InitJob.encode(spec(List.of("/bin/cat"), Map.of(), Map.of(), Duration.ofSeconds(2))),
                    looksLikeAJob, stdin);

            assertThat(run.exit()).as(run.stderr()).isZero();
            byte[] expected = new byte[looksLikeAJob.length + stdin.length];
            System.arraycopy(looksLikeAJob, 0, expected, 0, looksLikeAJob.length);
            System.arraycopy(stdin, 0, expected, looksLikeAJob.length, stdin.length);
            assertThat(run.stdout()).isEqualTo(expected);
        }

        @Test
        void with_report_init_writes_the_programs_own_time_under_the_runs_nonce_on_its_report_fd() throws Exception {
            String nonce = InitReport.newNonce();
            Path report = work.resolveSibling(work.getFileName() + ".report");
            Run run = runInitReporting(work, report,
                    InitJob.encodeReporting(spec(List.of("/bin/sleep", "0.2"), Map.of(), Map.of(), Duration.ofSeconds(2)), nonce));

            assertThat(run.exit()).as(run.stderr()).isZero();
            assertThat(run.stderr()).isEqualTo("R");
            String line = Files.readString(report);
            assertThat(line).matches(nonce + " [0-9]+\n");
            Duration took = InitReport.programTime(line, nonce).orElseThrow();
            assertThat(took).isBetween(Duration.ofMillis(200), Duration.ofSeconds(2));
            assertThat(InitReport.programTime(line, InitReport.newNonce())).as("another run's nonce").isEmpty();
        }

        @Test
        void the_program_gets_default_signal_dispositions_no_blocked_signals_and_not_the_report_fd() throws Exception {
            // init ignores what a program can send it while it waits; none of that may reach the program
            Path report = work.resolveSibling(work.getFileName() + ".report");
            Run run = runInitReporting(work, report, InitJob.encodeReporting(spec(List.of("/bin/sh", "-c",
                    "grep -E '^Sig(Ign|Blk):' /proc/self/status; ls /proc/self/fd"), Map.of(), Map.of(), Duration.ofSeconds(2)),
                    InitReport.newNonce()));

            assertThat(run.exit()).as(run.stderr()).isZero();
            assertThat(run.out()).contains("SigIgn:\t0000000000000000\n", "SigBlk:\t0000000000000000\n");
            assertThat(run.out().lines().filter(l -> l.matches("\\d+")).toList()).as("open fds of the program")
                    .doesNotContain(Integer.toString(13));
        }

        @Test
        void init_ends_with_the_programs_status_and_128_plus_n_for_death_by_signal_n() throws Exception {
            Path report = work.resolveSibling(work.getFileName() + ".report");
            Run exits = runInitReporting(work, report, InitJob.encodeReporting(
                    spec(List.of("/bin/sh", "-c", "exit 7"), Map.of(), Map.of(), Duration.ofSeconds(2)), InitReport.newNonce()));
            Files.delete(report);
            Run killed = runInitReporting(work, report, InitJob.encodeReporting(
                    spec(List.of("/bin/sh", "-c", "kill -KILL $$"), Map.of(), Map.of(), Duration.ofSeconds(2)), InitReport.newNonce()));

            assertThat(exits.exit()).isEqualTo(7);
            assertThat(killed.exit()).isEqualTo(128 + 9);
        }

        @Test
        void a_program_signalling_every_process_it_may_does_not_end_init_early() throws Exception {
            // kill(-1, SIGTERM) reaches init (same uid); init must still report the program's own end
            Path report = work.resolveSibling(work.getFileName() + ".report");
            String nonce = InitReport.newNonce();
            Run run = runInitReporting(work, report, InitJob.encodeReporting(spec(List.of("/usr/bin/python3", "-c",
                    "import os,signal,sys; signal.signal(signal.SIGTERM, signal.SIG_IGN); os.kill(os.getppid(), signal.SIGTERM);"
                            + " os.kill(os.getppid(), signal.SIGINT); os.kill(os.getppid(), signal.SIGHUP); print('still here'); sys.exit(3)"),
                    Map.of(), Map.of(), Duration.ofSeconds(5)), nonce));

            assertThat(run.exit()).as(run.stderr()).isEqualTo(3);
            assertThat(run.out()).isEqualTo("still here\n");
            assertThat(InitReport.programTime(Files.readString(report), nonce)).isPresent();
        }

        @Test
        void end_of_file_before_go_is_a_discarded_sandbox_and_ends_quietly() throws Exception {
            Run run = runInit(work);
            assertThat(run.exit()).isZero();
            assertThat(run.stderr()).isEqualTo("R");
            assertThat(run.stdout()).isEmpty();
        }

        @Test
        void a_malformed_netstring_is_a_failure_to_start() throws Exception {
            Run run = runInit(work, ascii("2:go;"));
            assertThat(run.exit()).isEqualTo(125);
            assertThat(run.stderr()).isEqualTo("Rrunbox-init: malformed job message\n");
        }

        @Test
        void a_length_that_is_not_a_number_is_a_failure_to_start() throws Exception {
            Run run = runInit(work, ascii("x:go,"));
            assertThat(run.exit()).isEqualTo(125);
            assertThat(run.stderr()).isEqualTo("Rrunbox-init: malformed job message\n");
        }

        @Test
        void anything_but_go_first_is_a_failure_to_start() throws Exception {
            Run run = runInit(work, ascii("4:stop,"));
            assertThat(run.exit()).isEqualTo(125);
            assertThat(run.stderr()).isEqualTo("Rrunbox-init: expected 'go'\n");
        }

        @Test
        void a_job_cut_short_is_a_failure_to_start() throws Exception {
            byte[] whole = InitJob.encode(spec(List.of("/bin/cat"), Map.of("main.py", ascii("x")), Map.of(), Duration.ofSeconds(1)));
            Run run = runInit(work, Arrays.copyOf(whole, whole.length - 3));
            assertThat(run.exit()).isEqualTo(125);
            assertThat(run.stderr()).startsWith("Rrunbox-init: job message cut short");
            assertThat(run.stdout()).isEmpty();
        }
    }
}
