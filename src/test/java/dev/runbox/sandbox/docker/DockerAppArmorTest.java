package dev.runbox.sandbox.docker;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An Engine that confines containers by AppArmor on a host without apparmor_parser refuses every
 * container that keeps Docker's profile (seen in the VM stage's stock Debian 12 before it had the
 * apparmor package): check-host and the server's start say so, and say nothing otherwise.
 */
class DockerAppArmorTest {

    @TempDir
    Path dir;

    @Test
    void an_engine_on_apparmor_without_its_parser_is_named_with_the_package_that_brings_it() {
        List<Path> none = List.of(dir.resolve("usr/sbin/apparmor_parser"), dir.resolve("sbin/apparmor_parser"));

        assertThat(DockerBackend.appArmorWithoutParser(List.of("name=apparmor", "name=seccomp,profile=default"), none))
                .hasValueSatisfying(said -> assertThat(said).contains("apparmor_parser", "sandbox-reuse=false", "apt-get install -y apparmor"));
    }

    @Test
    void nothing_is_said_where_the_parser_is_there_or_the_engine_does_not_use_apparmor() throws Exception {
        Path parser = Files.createDirectories(dir.resolve("sbin")).resolve("apparmor_parser");
        Files.writeString(parser, "#!/bin/sh\n");
        Files.setPosixFilePermissions(parser, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<Path> second = List.of(dir.resolve("usr/sbin/apparmor_parser"), parser);

        assertThat(DockerBackend.appArmorWithoutParser(List.of("name=apparmor"), second)).isEmpty();
        assertThat(DockerBackend.appArmorWithoutParser(List.of("name=seccomp,profile=default", "name=cgroupns"),
                List.of(dir.resolve("nowhere")))).isEmpty();
        assertThat(DockerBackend.appArmorWithoutParser(null, List.of(dir.resolve("nowhere")))).isEmpty();
    }
}
