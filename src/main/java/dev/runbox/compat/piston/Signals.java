package dev.runbox.compat.piston;

/** Linux signal numbers by the names Piston reports them by ({@code "SIGKILL"}). */
final class Signals {

    private static final String[] NAMES = {null, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE",
            "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT",
            "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH",
            "SIGIO", "SIGPWR", "SIGSYS"};

    private Signals() {
    }

    /** The name of signal {@code n}, or null for a number that is not one (as Piston gives). */
    static String name(Integer n) {
        if (n == null || n < 1 || n >= NAMES.length) return null;
        return NAMES[n];
    }
}
