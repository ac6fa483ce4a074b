package dev.runbox.sandbox.cgroup;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads files the kernel makes up on each read (/proc, /proc/sys, cgroupfs) whole.
 *
 * <p>{@link Files#readString} is wrong for them: such files report size 0, so it reads one byte first
 * and then asks for the rest at offset 1, and a /proc/sys integer file answers any read at an offset
 * other than 0 with end-of-file ({@code proc_dointvec}): "15489" came back as "1". Here the first read
 * asks for {@link #FIRST_READ_BYTES}, far more than any such file holds, and reading goes on until
 * end-of-file for files that really are longer (mountinfo on a host with many mounts).
 */
public final class KernelFiles {

    static final int FIRST_READ_BYTES = 64 * 1024;

    private KernelFiles() {
    }

    public static String read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in);
        }
    }

    static String read(InputStream in) throws IOException {
        byte[] buf = new byte[FIRST_READ_BYTES];
        int used = 0;
        while (true) {
            if (used == buf.length) buf = Arrays.copyOf(buf, buf.length * 2);
            int n = in.read(buf, used, buf.length - used);
            if (n < 0) break;
            used += n;
        }
        return new String(buf, 0, used, StandardCharsets.UTF_8);
    }
}
