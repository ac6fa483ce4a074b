package dev.runbox.language;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * How to run one language, as data (from languages.json).
 *
 * @param id          the request's {@code language} value
 * @param name        display name
 * @param sourceFile  file name the source code is written to in the work dir
 * @param run         argv of the run, in the sandbox, from the work dir; never passed to a shell
 * @param version     argv that prints the toolchain's version (run once at start, on the host)
 * @param mounts      host paths the toolchain needs besides /usr, shown read-only
 * @param env         environment variables besides Runbox's small base set
 * @param detectedVersion what {@code version} printed at start
 */
public record Language(String id, String name, String sourceFile, List<String> run, List<String> version,
                       List<Path> mounts, Map<String, String> env, String detectedVersion) {
}
