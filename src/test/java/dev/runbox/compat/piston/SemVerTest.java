package dev.runbox.compat.piston;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SemVerTest {

    private static final SemVer.Version V3_11_2 = new SemVer.Version(3, 11, 2);

    @Test
    void a_toolchains_version_line_gives_its_first_dotted_version() {
        assertThat(SemVer.fromToolchain("Python 3.11.2")).isEqualTo(V3_11_2);
        assertThat(SemVer.fromToolchain("gcc (Debian 12.2.0-14) 12.2.0").toString()).isEqualTo("12.2.0");
        assertThat(SemVer.fromToolchain("v20.20.2").toString()).isEqualTo("20.20.2");
        assertThat(SemVer.fromToolchain("GNU bash, version 5.2.15(1)-release (x86_64-pc-linux-gnu)").toString()).isEqualTo("5.2.15");
        assertThat(SemVer.fromToolchain("go version go1.19.8 linux/amd64").toString()).isEqualTo("1.19.8");
        assertThat(SemVer.fromToolchain("javac 17").toString()).isEqualTo("0.0.0");
        assertThat(SemVer.fromToolchain("perl v5.36").toString()).isEqualTo("5.36.0");
        assertThat(SemVer.fromToolchain(null).toString()).isEqualTo("0.0.0");
    }

    @Test
    void selectors_match_as_npm_semver_matches_them() {
        for (String yes : new String[]{"*", "x", "", "3", "3.x", "3.11", "3.11.x", "3.11.2", "v3.11.2", "=3.11.2", "^3", "^3.10",
                "^3.11.1", "~3.11", "~3.11.0", ">=3.8 <4", ">= 3.8", ">3.11.1", "<=3.11", "<3.12", "3.0 - 3.11", "2 || 3",
                "1.x || >=3.11.2 <3.11.3"}) {
            assertThat(SemVer.satisfies(V3_11_2, yes)).as("3.11.2 satisfies '%s'", yes).isTrue();
        }
        for (String no : new String[]{"2", "3.10", "3.11.3", "^3.12", "~3.10", ">3.11", "<3.11.2", ">=4", "3.0 - 3.10", "^2.9",
                "1 || 2", "latest", "3.11.2.1", ">*", "<*", "3..1"}) {
            assertThat(SemVer.satisfies(V3_11_2, no)).as("3.11.2 does not satisfy '%s'", no).isFalse();
        }
    }

    @Test
    void caret_keeps_the_first_non_zero_part() {
        assertThat(SemVer.satisfies(new SemVer.Version(0, 2, 5), "^0.2.3")).isTrue();
        assertThat(SemVer.satisfies(new SemVer.Version(0, 3, 0), "^0.2.3")).isFalse();
        assertThat(SemVer.satisfies(new SemVer.Version(0, 0, 3), "^0.0.3")).isTrue();
        assertThat(SemVer.satisfies(new SemVer.Version(0, 0, 4), "^0.0.3")).isFalse();
        assertThat(SemVer.satisfies(new SemVer.Version(0, 0, 9), "^0.0")).isTrue();
        assertThat(SemVer.satisfies(new SemVer.Version(0, 1, 0), "^0.0")).isFalse();
    }
}
