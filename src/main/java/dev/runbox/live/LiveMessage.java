package dev.runbox.live;

/**
 * One message of a live run, in either direction (see {@link LiveChannels}). From the client to the
 * run: {@link Type#STDIN} (bytes for the program's stdin, as UTF-8 text in {@code data}),
 * {@link Type#SIGNAL} (a signal for the program, its name without {@code SIG} in {@code data}) and
 * {@link Type#HANGUP} (the client is gone: the run is ended). From the run to the client:
 * {@link Type#STAGE} (a stage starts: {@code stage}), {@link Type#STDOUT} and {@link Type#STDERR}
 * (output as it comes, in {@code data}), {@link Type#EXIT} (a stage ended: {@code code} or
 * {@code signal}, with {@code message} when a limit ended it) and {@link Type#ERROR} (Runbox could not
 * run it: {@code message}). A run's last message is an EXIT of the stage {@code run}, an EXIT of
 * {@code compile} that is not 0, or an ERROR.
 *
 * @param signal the signal's number (EXIT)
 */
public record LiveMessage(Type type, String stage, String data, Integer code, Integer signal, String message) {

    public enum Type { STDIN, SIGNAL, HANGUP, STAGE, STDOUT, STDERR, EXIT, ERROR }

    /** The signals a client may send a live run's program, by their names without SIG (one place: the relay and the APIs). */
    public static final java.util.Set<String> SIGNALS = java.util.Set.of("HUP", "INT", "QUIT", "ABRT", "KILL", "USR1", "USR2", "ALRM",
            "TERM", "CONT", "STOP", "TSTP", "WINCH");

    public static final String COMPILE = "compile";
    public static final String RUN = "run";

    public static LiveMessage stdin(String data) {
        return new LiveMessage(Type.STDIN, null, data, null, null, null);
    }

    public static LiveMessage signal(String name) {
        return new LiveMessage(Type.SIGNAL, null, name, null, null, null);
    }

    public static LiveMessage hangup() {
        return new LiveMessage(Type.HANGUP, null, null, null, null, null);
    }

    public static LiveMessage stage(String stage) {
        return new LiveMessage(Type.STAGE, stage, null, null, null, null);
    }

    public static LiveMessage output(Type stream, String stage, String data) {
        return new LiveMessage(stream, stage, data, null, null, null);
    }

    public static LiveMessage exit(String stage, Integer code, Integer signal, String message) {
        return new LiveMessage(Type.EXIT, stage, null, code, signal, message);
    }

    public static LiveMessage error(String message) {
        return new LiveMessage(Type.ERROR, null, null, null, null, message);
    }

    /** Whether the run sends nothing after this message. */
    public boolean last() {
        return type == Type.ERROR || type == Type.EXIT && (RUN.equals(stage) || code == null || code != 0);
    }
}
