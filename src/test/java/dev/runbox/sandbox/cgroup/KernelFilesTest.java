package dev.runbox.sandbox.cgroup;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class KernelFilesTest {

    /** Like a /proc/sys integer file: a read that does not start at offset 0 gets end-of-file. */
    private static InputStream sysctl(String value) {
        byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
        return new InputStream() {
            private long offset;

            @Override
            public int read() {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0];
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (offset != 0 || len == 0) return offset != 0 ? -1 : 0;
                int n = Math.min(len, bytes.length);
                System.arraycopy(bytes, 0, b, off, n);
                offset += n;
                return n;
            }
        };
    }

    @Test
    void a_sysctl_file_is_read_whole_in_its_first_read() throws Exception {
        assertThat(KernelFiles.read(sysctl("15489\n"))).isEqualTo("15489\n");
    }

    @Test
    void a_file_longer_than_the_first_read_is_read_to_its_end() throws Exception {
        String big = "x".repeat(3 * KernelFiles.FIRST_READ_BYTES + 17);
        assertThat(KernelFiles.read(new ByteArrayInputStream(big.getBytes(StandardCharsets.US_ASCII)))).isEqualTo(big);
    }

    @Test
    void the_real_max_user_namespaces_reads_as_cat_shows_it() throws Exception {
        Path file = Path.of("/proc/sys/user/max_user_namespaces");
        Process cat = new ProcessBuilder("cat", file.toString()).start();
        String shown = new String(cat.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertThat(cat.waitFor()).isZero();
        assertThat(KernelFiles.read(file)).isEqualTo(shown);
    }
}
