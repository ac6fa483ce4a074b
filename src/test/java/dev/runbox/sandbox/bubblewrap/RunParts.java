package dev.runbox.sandbox.bubblewrap;

import dev.runbox.sandbox.RunSpec;
import dev.runbox.sandbox.SandboxFailure;
import dev.runbox.sandbox.bubblewrap.LaunchCommand;
import dev.runbox.sandbox.run.SandboxShape;
import dev.runbox.sandbox.cgroup.CgroupDetector;
import dev.runbox.sandbox.cgroup.CgroupFiles;
import dev.runbox.sandbox.cgroup.CgroupLimits;
import dev.runbox.sandbox.cgroup.Cgroups;
import dev.runbox.sandbox.cgroup.RunCgroup;
import dev.runbox.sandbox.host.SandboxHost;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Parts of a sandboxed run, for the benchmark to time on their own and so say where a run's time
 * goes. Built from the product's own code (the launch command, the cgroup classes), so that they
 * cannot drift from what a run really does.
 */
public final class RunParts {

    private RunParts() {
    }

    /**
     * bubblewrap as Runbox starts it for {@code spec} (same namespaces, mounts, environment), without
     * the options that need runbox-launch's file descriptors (seccomp filter, status, input files):
     * no launcher, no cgroup, no seccomp, no privilege drop.
     */
    public static List<String> bubblewrapAlone(RunSpec spec) {
        Path none = Path.of("/nonexistent");
        List<String> full = LaunchCommand.build(none, none, BubblewrapSandbox.BWRAP, 65534, List.of(), none.resolve("status"),
                SandboxShape.of(spec), LaunchCommand.hostUsrLinks());
        List<String> out = new ArrayList<>();
        int end = full.lastIndexOf("--");
        for (int i = full.indexOf(BubblewrapSandbox.BWRAP.toString()); i < end; i++) {
            String a = full.get(i);
            if (a.equals("--seccomp") || a.equals("--json-status-fd")) {
                i++;
            } else if (a.equals("--ro-bind-data")) {
                i += 2; // runbox-init, which needs the launcher's fd
                out.remove(out.size() - 1); // and the --perms before it
                out.remove(out.size() - 1);
            } else {
                out.add(a);
            }
        }
        out.add("--");
        out.addAll(spec.command()); // the program itself, where a prepared sandbox would exec it
        return out;
    }

    /**
     * Time to move a process into a fresh run cgroup, every hierarchy of it (what runbox-launch does
     * first in each run): a cgroup is made with the product's code, a {@code sleep} started, and only
     * the writes of its pid into the {@code cgroup.procs} files are timed. Moves {@code gap} apart,
     * as runs are: on cgroup v1 a move waits for an RCU grace period unless another move happened
     * just before, so back-to-back moves cost far less than spaced ones (0.3 ms at 10 ms apart vs
     * 6-11 ms at 50 ms apart, here). Other processes moving tasks between cgroups on the same host
     * make it cheaper too.
     */
    public static long[] cgroupJoinLatencies(Path stateDir, int count, Duration gap)
            throws SandboxFailure, IOException, InterruptedException {
        Cgroups cgroups = CgroupDetector.detect(SandboxHost.instanceTag(stateDir));
        long[] ns = new long[count];
        for (int i = 0; i < count; i++) {
            try (RunCgroup cg = cgroups.create("join-" + i, new CgroupLimits(256L << 20, 128, 1.0))) {
                Process p = new ProcessBuilder("/usr/bin/sleep", "30").start();
                try {
                    long t0 = System.nanoTime();
                    for (Path procs : cg.procsFiles()) CgroupFiles.write(procs, Long.toString(p.pid()));
                    ns[i] = System.nanoTime() - t0;
                } finally {
                    p.destroyForcibly();
                    p.waitFor();
                }
            }
            Thread.sleep(gap.toMillis()); // the spacing of real runs (see above), not a wait for a condition
        }
        return ns;
    }
}
