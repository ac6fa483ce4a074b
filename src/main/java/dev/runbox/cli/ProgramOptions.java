package dev.runbox.cli;

import dev.runbox.client.LanguageInfo;
import dev.runbox.client.RunboxClient;
import dev.runbox.client.RunboxException;
import dev.runbox.client.SubmissionRequest;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The program to run and its limits, shared by {@code run} and {@code submit}; names as in the README. */
final class ProgramOptions {

    @Parameters(index = "0", paramLabel = "FILE", description = "The program's source file (UTF-8).")
    Path file;

    @Option(names = "--language", paramLabel = "ID",
            description = "Language id, one of GET /languages (default: guessed from the file's extension).")
    String language;

    @Option(names = "--stdin", paramLabel = "FILE", description = "Standard input of the program, from FILE (UTF-8; - reads this command's stdin).")
    String stdin;

    @Option(names = "--time", paramLabel = "SEC", description = "CPU time limit in seconds: time_limit_sec (server default 2).")
    Double timeLimitSec;

    @Option(names = "--memory", paramLabel = "MB", description = "Memory limit in MiB: memory_limit_mb (server default 256).")
    Integer memoryLimitMb;

    @Option(names = "--cores", paramLabel = "N", description = "CPU cores: cpu_cores (server default 1).")
    Double cpuCores;

    /** The request for this program; asks the server's languages when none was given. */
    SubmissionRequest request(RunboxClient client) throws CliFailure, RunboxException, InterruptedException {
        String source = utf8(read(file), file.toString());
        String lang = language;
        if (lang == null) {
            List<LanguageInfo> offered = client.languages();
            lang = LanguageGuess.of(file, offered).orElseThrow(() -> new CliFailure(ExitCodes.USAGE, "cannot tell the language of "
                    + file + " from its extension; pass --language (offered: "
                    + String.join(", ", offered.stream().map(l -> l.id() + " (." + l.extension() + ")").toList()) + ")"));
        }
        String input = null;
        if (stdin != null) {
            input = stdin.equals("-") ? utf8(readStdin(), "standard input") : utf8(read(Path.of(stdin)), stdin);
        }
        return new SubmissionRequest(source, lang, input, timeLimitSec, memoryLimitMb, cpuCores);
    }

    static byte[] read(Path p) throws CliFailure {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new CliFailure(ExitCodes.USAGE, "cannot read " + p + ": " + e.getMessage());
        }
    }

    private static byte[] readStdin() throws CliFailure {
        try {
            return System.in.readAllBytes();
        } catch (IOException e) {
            throw new CliFailure(ExitCodes.USAGE, "cannot read standard input: " + e.getMessage());
        }
    }

    /** Runbox takes text: a file that is not UTF-8 is refused here rather than silently altered. */
    static String utf8(byte[] bytes, String what) throws CliFailure {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new CliFailure(ExitCodes.USAGE, what + " is not UTF-8 text; Runbox takes source and stdin as UTF-8");
        }
    }
}
