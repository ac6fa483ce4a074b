package dev.runbox.language;

/**
 * Runs the version command of a language with an image where its programs run: in a container of
 * that image, with the restrictions of a run. The language is offered only if this answers.
 */
@FunctionalInterface
public interface ImageProbe {

    /**
     * The first line the version command printed.
     *
     * @throws NoAnswer when it could not start, failed, or printed nothing; the message says which
     */
    String version(Language language) throws NoAnswer, InterruptedException;

    /** The version command did not answer; the message says why (e.g. "runbox-init: exec /usr/bin/rustc: No such file"). */
    final class NoAnswer extends Exception {
        public NoAnswer(String why) {
            super(why);
        }
    }
}
