package dev.runbox.compat.judge0;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AdditionalFilesTest {

    private static String zip(String... namesAndContents) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bytes)) {
            for (int i = 0; i < namesAndContents.length; i += 2) {
                z.putNextEntry(new ZipEntry(namesAndContents[i]));
                z.write(namesAndContents[i + 1].getBytes(StandardCharsets.UTF_8));
                z.closeEntry();
            }
        }
        return Base64.getMimeEncoder().encodeToString(bytes.toByteArray()); // with line breaks, as Ruby sends it
    }

    @Test
    void files_come_out_with_their_names_and_bytes() throws Exception {
        List<AdditionalFiles.Entry> files = AdditionalFiles.unpack(zip("a.txt", "alpha", "b.py", "x = 1\n"), 8, 1000);
        assertThat(files).extracting(AdditionalFiles.Entry::name).containsExactly("a.txt", "b.py");
        assertThat(new String(files.get(1).content(), StandardCharsets.UTF_8)).isEqualTo("x = 1\n");
    }

    @Test
    void more_files_than_the_cap_are_refused() {
        assertThatThrownBy(() -> AdditionalFiles.unpack(zip("a", "1", "b", "2", "c", "3"), 2, 1000))
                .isInstanceOf(AdditionalFiles.Refused.class).hasMessageContaining("more than 2 files");
    }

    @Test
    void more_bytes_than_the_cap_are_refused_while_inflating() {
        assertThatThrownBy(() -> AdditionalFiles.unpack(zip("big", "x".repeat(5000)), 8, 4096))
                .isInstanceOf(AdditionalFiles.Refused.class).hasMessageContaining("more than 4096 bytes");
    }

    @Test
    void directories_and_paths_are_refused_not_flattened() {
        assertThatThrownBy(() -> AdditionalFiles.unpack(zip("dir/", ""), 8, 1000)).hasMessageContaining("directory");
        assertThatThrownBy(() -> AdditionalFiles.unpack(zip("../evil", "x"), 8, 1000)).hasMessageContaining("directory");
        assertThatThrownBy(() -> AdditionalFiles.unpack(zip("/etc/passwd", "x"), 8, 1000)).hasMessageContaining("directory");
    }

    @Test
    void what_is_not_a_zip_is_refused() {
        String text = Base64.getEncoder().encodeToString("just some text, not an archive".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> AdditionalFiles.unpack(text, 8, 1000)).isInstanceOf(AdditionalFiles.Refused.class);
    }
}
