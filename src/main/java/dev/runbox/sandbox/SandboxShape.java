package dev.runbox.sandbox;

import java.nio.file.Path;
import java.util.List;

/**
 * What a sandbox is made with before its job is known: the host paths it shows besides /usr and
 * the size of its writable tmpfs mounts. Runs of the same shape can use sandboxes prepared ahead.
 */
record SandboxShape(List<Path> readOnlyMounts, long writableBytes) {

    SandboxShape {
        readOnlyMounts = List.copyOf(readOnlyMounts);
    }

    static SandboxShape of(RunSpec spec) {
        return new SandboxShape(spec.readOnlyMounts(), spec.limits().writableBytes());
    }
}
