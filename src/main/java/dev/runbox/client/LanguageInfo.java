package dev.runbox.client;

/** One language a server offers ({@code GET /languages}). */
public record LanguageInfo(String id, String name, String version, String sourceFile) {

    /** The extension of the language's source file, without the dot ({@code py}), or "" when it has none. */
    public String extension() {
        int dot = sourceFile == null ? -1 : sourceFile.lastIndexOf('.');
        return dot < 0 ? "" : sourceFile.substring(dot + 1);
    }
}
