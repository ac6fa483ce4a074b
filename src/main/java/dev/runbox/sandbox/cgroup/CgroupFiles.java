package dev.runbox.sandbox.cgroup;

import dev.runbox.sandbox.SandboxFailure;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/** Small helpers to read and write cgroupfs files, with messages that say which file failed. */
public final class CgroupFiles {
    private CgroupFiles() {
    }

    public static void write(Path file, String value) throws SandboxFailure {
        try {
            Files.write(file, value.getBytes(StandardCharsets.US_ASCII), StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            throw new SandboxFailure("cannot write '" + value + "' to " + file + ": " + e.getMessage()
                    + " (run `runbox check-host`)", e);
        }
    }

    public static String read(Path file) throws SandboxFailure {
        try {
            return KernelFiles.read(file).trim();
        } catch (IOException e) {
            throw new SandboxFailure("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    public static long readLong(Path file) throws SandboxFailure {
        String text = read(file);
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new SandboxFailure("unexpected content in " + file + ": '" + text + "'", e);
        }
    }

    /** The value of {@code key} in a flat-keyed file such as memory.events or cpu.stat; 0 when absent. */
    public static long readKey(Path file, String key) throws SandboxFailure {
        for (String line : read(file).split("\n")) {
            String[] kv = line.trim().split("\\s+");
            if (kv.length == 2 && kv[0].equals(key)) {
                try {
                    return Long.parseLong(kv[1]);
                } catch (NumberFormatException e) {
                    throw new SandboxFailure("unexpected '" + line + "' in " + file, e);
                }
            }
        }
        return 0;
    }

    public static List<Long> pids(Path procsFile) throws SandboxFailure {
        List<Long> pids = new ArrayList<>();
        String text;
        try {
            text = KernelFiles.read(procsFile);
        } catch (NoSuchFileException gone) {
            return pids;
        } catch (IOException e) {
            throw new SandboxFailure("cannot read " + procsFile + ": " + e.getMessage(), e);
        }
        for (String line : text.split("\n")) {
            if (!line.isBlank()) pids.add(Long.parseLong(line.trim()));
        }
        return pids;
    }

    public static void killPids(Path procsFile) throws SandboxFailure {
        for (long pid : pids(procsFile)) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    /** rmdir, retried until {@code deadlineNanos} while the kernel still holds the group (EBUSY). */
    public static void removeDir(Path dir, Path procsFile, long deadlineNanos) throws SandboxFailure {
        while (true) {
            try {
                Files.deleteIfExists(dir);
                return;
            } catch (IOException busy) {
                if (System.nanoTime() > deadlineNanos) {
                    throw new SandboxFailure("cgroup " + dir + " could not be removed: " + busy.getMessage(), busy);
                }
                killPids(procsFile);
                Thread.onSpinWait();
                try {
                    Thread.sleep(1); // the kernel releases a killed process within milliseconds
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SandboxFailure("interrupted while removing " + dir, e);
                }
            }
        }
    }
}
