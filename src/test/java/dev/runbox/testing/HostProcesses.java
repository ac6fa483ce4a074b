package dev.runbox.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Finds and ends processes of this host by what their command line says. A daemon's helpers do not
 * stay its children (containerd's shims re-parent to PID 1), so a test that started a daemon finds
 * everything it owns by a path that only its instance uses, e.g. its own run directory.
 */
final class HostProcesses {

    private HostProcesses() {
    }

    /** Live processes (other than this JVM) one of whose arguments contains {@code text}. */
    static List<ProcessHandle> mentioning(String text) {
        List<ProcessHandle> found = new ArrayList<>();
        ProcessHandle.allProcesses().forEach(p -> {
            if (p.pid() == ProcessHandle.current().pid()) return;
            if (arguments(p.pid()).stream().anyMatch(a -> a.contains(text))) found.add(p);
        });
        return found;
    }

    /**
     * Live dockerd, containerd and containerd-shim processes one of whose arguments contains
     * {@code text}: only the daemons, so that a {@code tail -f} of their log is not taken for one.
     */
    static List<ProcessHandle> daemonsMentioning(String text) {
        return mentioning(text).stream().filter(p -> {
            List<String> args = arguments(p.pid());
            if (args.isEmpty()) return false;
            String program = Path.of(args.get(0)).getFileName().toString();
            return program.equals("dockerd") || program.startsWith("containerd");
        }).toList();
    }

    /** The arguments of {@code pid}, from /proc (Java's own view may be cut short); empty when it is gone. */
    static List<String> arguments(long pid) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            String all = new String(raw, StandardCharsets.UTF_8);
            return all.isEmpty() ? List.of() : List.of(all.split("\0"));
        } catch (IOException gone) {
            return List.of();
        }
    }

    /**
     * SIGKILLs {@code roots} and all their descendants (a shim's descendants are the container's
     * processes, which would otherwise outlive it), then waits up to {@code wait} for them to be
     * gone; returns those still alive.
     */
    static List<ProcessHandle> killTrees(List<ProcessHandle> roots, Duration wait) {
        // snapshot first: once a parent dies, its children re-parent and are no longer its descendants
        Set<ProcessHandle> all = new LinkedHashSet<>();
        for (ProcessHandle root : roots) {
            all.add(root);
            root.descendants().forEach(all::add);
        }
        all.forEach(ProcessHandle::destroyForcibly);
        long deadline = System.nanoTime() + wait.toNanos();
        List<ProcessHandle> alive = new ArrayList<>();
        for (ProcessHandle p : all) {
            long left = Math.max(0, deadline - System.nanoTime());
            try {
                p.onExit().get(left, TimeUnit.NANOSECONDS);
            } catch (Exception stillThere) {
                if (p.isAlive()) alive.add(p);
            }
        }
        return alive;
    }
}
