package dev.runbox.sandbox.run;

import dev.runbox.sandbox.RunSpec;
import dev.runbox.sandbox.SandboxFailure;
import dev.runbox.sandbox.SandboxOutcome.CapturedOutput;
import dev.runbox.sandbox.SandboxOutcome.Termination;
import dev.runbox.sandbox.SandboxOutcome;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * How a run that went through runbox-init ended, from what every sandbox backend observes: the exit
 * status of the sandbox's command, the limit Runbox killed it for (if any), the kernel's OOM kills,
 * and the CPU time used. One place, so that both backends give the same verdicts for the same facts.
 */
public final class RunOutcomes {

    /** runbox-init's exit statuses when it could not take the job, or could not exec the program (native/init.c). */
    public static final int INIT_FAILED = 125;
    public static final int EXEC_FAILED = 127;

    private RunOutcomes() {
    }

    /**
     * @param status    exit status of the sandbox's command: the program's own, or 128 + N for death by signal N
     * @param killedFor the limit Runbox killed the run for, or null
     * @throws SandboxFailure when runbox-init could not start the program and that is Runbox's fault
     */
    public static SandboxOutcome outcome(RunSpec spec, int status, Termination killedFor, boolean oomKilled, Duration wall,
                                  Duration cpu, long memoryPeakBytes, CapturedOutput out, CapturedOutput err)
            throws SandboxFailure {
        String errText = new String(err.bytes(), StandardCharsets.UTF_8);
        if (killedFor == null && !oomKilled && errText.startsWith("runbox-init:")) {
            // a program in the work dir is the job's own (e.g. what its compile built, or did not):
            // failing to exec it is the program's failure; a toolchain that will not start is Runbox's
            boolean jobsOwn = spec.command().get(0).startsWith(RunSpec.WORK_DIR + "/");
            if (status == INIT_FAILED || (status == EXEC_FAILED && !jobsOwn)) {
                throw new SandboxFailure("the program could not be started: " + errText.strip());
            }
        }
        Termination termination = killedFor;
        if (oomKilled) termination = Termination.MEMORY_LIMIT;
        else if (termination == null && cpu.compareTo(spec.limits().cpuTime()) >= 0) termination = Termination.CPU_TIME_LIMIT;
        else if (termination == null) termination = Termination.EXITED;
        Integer exitCode = null;
        Integer signal = null;
        // both bwrap and Docker report death by signal N as 128 + N, as shells do
        if (status > 128 && status < 128 + 65) signal = status - 128;
        else exitCode = status;
        return new SandboxOutcome(termination, exitCode, signal, wall, cpu, memoryPeakBytes, out, err);
    }
}
