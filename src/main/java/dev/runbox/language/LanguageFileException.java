package dev.runbox.language;

import java.io.IOException;

/** The languages file is unreadable or says something that makes no sense; the message says what and where. */
public final class LanguageFileException extends IOException {
    public LanguageFileException(String message) {
        super(message);
    }
}
