package dev.runbox.registry;

import java.time.Instant;
import java.util.List;

/** Heartbeats of the worker processes, so the API can list them and dead ones are noticed. */
public interface WorkerRegistry {

    /** Records a heartbeat (the registry stamps {@code lastSeen} with its own clock). */
    void beat(WorkerStatus status);

    /** Every worker heard from recently, alive or not, and the registry's clock to judge them by. */
    Snapshot list();

    /** A worker stopped cleanly: forget it. */
    void leave(String workerId);

    record Snapshot(Instant now, List<WorkerStatus> workers) {
    }
}
