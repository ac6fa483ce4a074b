package dev.runbox.worker;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A side that takes its FIFO ends only after its peer ended and the host released them never blocks. */
class InteractionPipesTest {

    @TempDir
    Path root;

    @Test
    void a_side_opening_its_ends_after_the_release_reads_end_of_file_at_once() throws Exception {
        InteractionPipes.prepareRoot(root.resolve("pipes"));
        try (InteractionPipes pipes = InteractionPipes.make(root.resolve("pipes"))) {
            pipes.release(); // the peer has ended: nobody holds either FIFO any more
            // the program's side as the worker starts it: stdout to the interactor, stdin from it
            Process side = new ProcessBuilder(List.of("/bin/sh", "-c",
                    "i=$1 o=$2; shift 2; exec \"$@\" " + InteractionPipes.opens("o", "i"), "program",
                    pipes.toProgram().toString(), pipes.toInteractor().toString(), "/bin/sh", "-c",
                    "if read line; then echo \"read $line\" >&2; exit 1; fi; exit 7")).start();
            boolean ended = side.waitFor(10, TimeUnit.SECONDS);
            if (!ended) side.destroyForcibly();
            assertThat(ended).as("the side ended instead of blocking in its open").isTrue();
            assertThat(side.exitValue()).as("end of file on stdin, %s", new String(side.getErrorStream().readAllBytes()))
                    .isEqualTo(7);
        }
    }
}
