package dev.runbox.sandbox;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One program to run.
 *
 * @param command        argv inside the sandbox (absolute program path); never passed through a shell
 * @param files          files placed read-only in the work dir {@code /box} before start (name → content)
 * @param stdin          bytes the program reads on stdin, then end of file
 * @param limits         the run's limits
 * @param readOnlyMounts host paths shown read-only at the same place, besides /usr
 * @param environment    the whole environment of the program (nothing is inherited)
 */
public record RunSpec(List<String> command, Map<String, byte[]> files, byte[] stdin, RunLimits limits,
                      List<Path> readOnlyMounts, Map<String, String> environment) {

    /** Inside the sandbox: the program's working directory, writable, fresh per run. */
    public static final String WORK_DIR = "/box";

    /** A plain file name of the work dir: no path, no leading dot or dash, at most 64 characters. */
    public static boolean isValidFileName(String name) {
        return name.matches("[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}");
    }

    public RunSpec {
        command = List.copyOf(command);
        files = Map.copyOf(files);
        readOnlyMounts = List.copyOf(readOnlyMounts);
        environment = Map.copyOf(environment);
        if (command.isEmpty()) throw new IllegalArgumentException("empty command");
        for (String name : files.keySet()) {
            if (!isValidFileName(name)) {
                throw new IllegalArgumentException("bad file name for the work dir: " + name);
            }
        }
    }
}
