package dev.runbox.sandbox.docker;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** What a Docker run does not see of its image: the Engine's masks, then Runbox's, less a toolchain's place. */
class DockerMasksTest {

    private static final List<String> ENGINES = List.of("/proc/kcore", "/sys/firmware");

    @Test
    void a_runs_masks_keep_the_engines_own_first_and_add_the_image_places_a_program_never_needs() {
        List<String> masked = DockerMasks.paths(ENGINES, Set.of(Path.of("/usr/bin/python3")));

        assertThat(masked.subList(0, 2)).isEqualTo(ENGINES);
        assertThat(masked).contains("/var", "/root", "/home", "/run", "/opt", "/sys", "/etc/ssh").doesNotContain("/usr", "/etc", "/tmp");
    }

    @Test
    void a_masked_place_that_holds_a_languages_program_stays_visible_in_that_image() {
        Set<Path> programs = Set.of(Path.of("/opt/java/openjdk/bin/java"), Path.of("/usr/bin/gcc"));

        assertThat(DockerMasks.paths(ENGINES, programs)).doesNotContain("/opt").contains("/var", "/root");
        assertThat(DockerMasks.keptFor(programs)).containsExactly("/opt");
    }

    @Test
    void a_program_only_named_like_a_masked_place_does_not_unmask_it() {
        assertThat(DockerMasks.paths(ENGINES, Set.of(Path.of("/optional/bin/tool")))).contains("/opt");
    }
}
