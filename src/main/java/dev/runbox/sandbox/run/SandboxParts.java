package dev.runbox.sandbox.run;

import dev.runbox.sandbox.cgroup.Cgroups;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;

/** What every sandbox of this process is made from. */
public record SandboxParts(Path launcher, Path init, Path bwrap, Path stagingRoot, Cgroups cgroups, UidPool uids,
                    ExecutorService io, List<String> usrLinks) {
}
