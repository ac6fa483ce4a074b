package dev.runbox.sandbox.run;

import dev.runbox.sandbox.RunSpec;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What a sandbox is made with before its job is known: the host paths it shows besides /usr, the
 * size of its writable tmpfs mounts, and the work dir: a fresh tmpfs, or a host-mounted box that
 * outlives the run ({@link BoxMount}, for compile steps). Runs of the same shape can use sandboxes
 * prepared ahead.
 */
public record SandboxShape(List<Path> readOnlyMounts, long writableBytes, Optional<Path> hostBox) {

    public SandboxShape {
        readOnlyMounts = List.copyOf(readOnlyMounts);
    }

    /** The shape of a run with a fresh work dir. */
    public static SandboxShape of(RunSpec spec) {
        return new SandboxShape(spec.readOnlyMounts(), spec.limits().writableBytes(), Optional.empty());
    }

    /** The shape of a run in a host-mounted work dir. */
    public static SandboxShape withBox(RunSpec spec, Path box) {
        return new SandboxShape(spec.readOnlyMounts(), spec.limits().writableBytes(), Optional.of(box));
    }

    /** Whether a sandbox of this shape can run {@code spec} (mounts and tmpfs size as it asks). */
    public boolean fits(RunSpec spec) {
        return readOnlyMounts.equals(spec.readOnlyMounts()) && writableBytes == spec.limits().writableBytes();
    }
}
