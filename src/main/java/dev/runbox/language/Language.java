package dev.runbox.language;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * How to build and run one language, as data (from the languages file).
 *
 * @param id              the request's {@code language} value
 * @param name            display name
 * @param sourceFile      file name the source code is written to in the work dir
 * @param compile         argv of the compile step, in the sandbox, from the work dir; empty for a
 *                        language without one. Never passed to a shell. See {@link ArgvTemplate}.
 * @param run             argv of the run, likewise
 * @param version         argv that prints the toolchain's version (run once at start, on the host or, for a
 *                        language with an image, in a container of it, as a run would be)
 * @param mounts          host paths the toolchain needs besides /usr, shown read-only at the same place
 * @param image           a container image holding the toolchain: runs of this language go to the Docker
 *                        sandbox, in a container of this image (no host paths are shown: {@code mounts} is
 *                        empty); empty for the default sandbox, on the host's /usr
 * @param env             environment variables besides Runbox's small base set
 * @param limits          the language's own bounds for the request's limits
 * @param compileLimits   limits of the compile step
 * @param outOfMemoryStderr texts a managed runtime prints on stderr when its heap ran out (e.g.
 *                        {@code java.lang.OutOfMemoryError}): a failed run whose stderr holds one is MLE
 * @param detectedVersion the first line {@code version} printed at start (null before detection; for a
 *                        language with an image, {@code image X} until it is probed there)
 * @param aliases         other names the Piston API ({@code /api/v2}) takes for it ({@code py}, {@code c++}); unique in the file
 * @param judge0Id        the language's id in the Judge0 drop-in API ({@code dev.runbox.compat.judge0}), empty when
 *                        it has none there
 */
public record Language(String id, String name, String sourceFile, List<String> compile, List<String> run,
                       List<String> version, List<Path> mounts, Optional<String> image, Map<String, String> env, LanguageLimits limits,
                       CompileLimits compileLimits, List<String> outOfMemoryStderr, String detectedVersion,
                       List<String> aliases, OptionalInt judge0Id) {

    public Language {
        compile = List.copyOf(compile);
        run = List.copyOf(run);
        version = List.copyOf(version);
        mounts = List.copyOf(mounts);
        env = Map.copyOf(env);
        outOfMemoryStderr = List.copyOf(outOfMemoryStderr);
        aliases = List.copyOf(aliases);
    }

    /** A language without aliases or a Judge0 id. */
    public Language(String id, String name, String sourceFile, List<String> compile, List<String> run,
                    List<String> version, List<Path> mounts, Optional<String> image, Map<String, String> env, LanguageLimits limits,
                    CompileLimits compileLimits, List<String> outOfMemoryStderr, String detectedVersion) {
        this(id, name, sourceFile, compile, run, version, mounts, image, env, limits, compileLimits, outOfMemoryStderr,
                detectedVersion, List.of(), OptionalInt.empty());
    }

    /** An interpreted language within the server's limits (the shape languages had before compile steps). */
    public Language(String id, String name, String sourceFile, List<String> run, List<String> version, List<Path> mounts,
                    Map<String, String> env, String detectedVersion) {
        this(id, name, sourceFile, List.of(), run, version, mounts, Optional.empty(), env, LanguageLimits.SERVER, CompileLimits.DEFAULTS,
                List.of(), detectedVersion, List.of(), OptionalInt.empty());
    }

    public boolean compiled() {
        return !compile.isEmpty();
    }

    /** Whether the request may pass {@code compiler_options} (the compile command has the placeholder). */
    public boolean takesCompilerOptions() {
        return ArgvTemplate.takes(compile, ArgvTemplate.COMPILER_OPTIONS);
    }

    /** Whether the request may pass {@code command_line_arguments}. */
    public boolean takesCommandLineArguments() {
        return ArgvTemplate.takes(run, ArgvTemplate.COMMAND_LINE_ARGUMENTS);
    }

    /** The compile argv for these options, with the compile's memory limit filled in. */
    public List<String> compileCommand(List<String> compilerOptions) {
        return compileCommand(compilerOptions, List.of());
    }

    /**
     * The compile argv for these options and the names of the submission's other files, of which
     * those ending in the source file's extension fill {@code {extra_sources}} (sorted).
     */
    public List<String> compileCommand(List<String> compilerOptions, List<String> fileNames) {
        return ArgvTemplate.expand(compile, Map.of(ArgvTemplate.COMPILER_OPTIONS, compilerOptions,
                ArgvTemplate.EXTRA_SOURCES, extraSources(fileNames)), compileLimits.memoryLimitMb());
    }

    /** Of {@code fileNames}, those of this language's source extension (e.g. {@code .c}), sorted. */
    public List<String> extraSources(List<String> fileNames) {
        int dot = sourceFile.lastIndexOf('.');
        if (dot < 0) return List.of();
        String ext = sourceFile.substring(dot);
        return fileNames.stream().filter(n -> n.endsWith(ext) && n.length() > ext.length()).sorted().toList();
    }

    /** The run argv for these arguments and this memory limit (MiB). */
    public List<String> runCommand(List<String> commandLineArguments, long memoryLimitMb) {
        return ArgvTemplate.expand(run, Map.of(ArgvTemplate.COMMAND_LINE_ARGUMENTS, commandLineArguments), memoryLimitMb);
    }

    Language withHost(List<String> compile, List<String> run, List<Path> mounts, String detectedVersion) {
        return new Language(id, name, sourceFile, compile, run, version, mounts, image, env, limits, compileLimits,
                outOfMemoryStderr, detectedVersion, aliases, judge0Id);
    }

    /**
     * The programs its commands name (the first element of compile, run and version), except what
     * the compile builds in /box: the places of the image its toolchain needs.
     */
    public List<Path> programs() {
        List<Path> out = new ArrayList<>();
        for (List<String> argv : List.of(compile, run, version)) {
            if (argv.isEmpty()) continue;
            Path p = Path.of(argv.get(0));
            if (p.isAbsolute() && !p.startsWith("/box") && !out.contains(p)) out.add(p);
        }
        return out;
    }

    /** This language with the version its toolchain answered where it runs. */
    Language answered(String version) {
        return new Language(id, name, sourceFile, compile, run, this.version, mounts, image, env, limits, compileLimits,
                outOfMemoryStderr, version, aliases, judge0Id);
    }

    /** This language, run in a container of {@code image} (the Docker sandbox), as the file defines it. */
    Language inImage(String image) {
        return new Language(id, name, sourceFile, compile, run, version, List.of(), Optional.of(image), env, limits,
                compileLimits, outOfMemoryStderr, "image " + image, aliases, judge0Id);
    }
}
