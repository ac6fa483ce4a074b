package dev.runbox.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** What the numbers were measured on: cores, kernel, cgroup layout, JDK, tool versions, load. */
final class Machine {

    private Machine() {
    }

    static Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("cpu_model", read("/proc/cpuinfo").lines().filter(l -> l.startsWith("model name")).findFirst()
                .map(l -> l.substring(l.indexOf(':') + 1).strip()).orElse("unknown"));
        m.put("memory_total", read("/proc/meminfo").lines().filter(l -> l.startsWith("MemTotal")).findFirst()
                .map(l -> l.substring(l.indexOf(':') + 1).strip()).orElse("unknown"));
        m.put("kernel", read("/proc/sys/kernel/osrelease").strip());
        m.put("os", read("/etc/os-release").lines().filter(l -> l.startsWith("PRETTY_NAME=")).findFirst()
                .map(l -> l.substring(12).replace("\"", "")).orElse("unknown"));
        m.put("cgroups", cgroupLayout());
        m.put("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        m.put("bubblewrap", firstLine("/usr/bin/bwrap", "--version"));
        m.put("python", firstLine("/usr/bin/python3", "--version"));
        m.put("gcc", firstLine("gcc", "--version"));
        m.put("wrk", firstLine("wrk", "--version"));
        return m;
    }

    /** e.g. "cgroup v1 (cpu, cpuacct, memory, pids, …) + cgroup2 at /sys/fs/cgroup/unified". */
    static String cgroupLayout() {
        TreeSet<String> v1 = new TreeSet<>();
        String v2 = null;
        for (String line : read("/proc/self/mounts").lines().toList()) {
            String[] f = line.split(" ");
            if (f.length < 4) continue;
            if (f[2].equals("cgroup2")) v2 = f[1];
            if (f[2].equals("cgroup")) {
                for (String o : f[3].split(",")) {
                    if (!List.of("rw", "ro", "relatime", "nosuid", "nodev", "noexec").contains(o)) v1.add(o);
                }
            }
        }
        if (v1.isEmpty()) return v2 == null ? "none found" : "cgroup v2 only, at " + v2;
        return "cgroup v1 (" + String.join(", ", v1) + ")" + (v2 == null ? "" : " + cgroup2 at " + v2);
    }

    static String loadAverage() {
        String[] f = read("/proc/loadavg").split(" ");
        return f.length >= 3 ? f[0] + " " + f[1] + " " + f[2] : "unknown";
    }

    private static String read(String path) {
        try {
            return Files.readString(Path.of(path));
        } catch (IOException e) {
            return "";
        }
    }

    private static String firstLine(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            return out.lines().findFirst().orElse("").strip();
        } catch (IOException e) {
            return "not installed";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }
}
