package dev.runbox.cli;

import dev.runbox.client.LanguageInfo;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** The language of a source file, from its extension and the source file names of the server's languages. */
final class LanguageGuess {
    private LanguageGuess() {
    }

    static Optional<String> of(Path file, List<LanguageInfo> offered) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        if (dot <= 0) return Optional.empty();
        String ext = name.substring(dot + 1);
        return offered.stream().filter(l -> l.extension().equals(ext)).map(LanguageInfo::id).findFirst();
    }
}
