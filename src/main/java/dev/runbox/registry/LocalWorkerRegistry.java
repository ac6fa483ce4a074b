package dev.runbox.registry;

import java.time.Clock;
import java.util.Comparator;
import java.util.concurrent.ConcurrentHashMap;

/** The embedded mode's registry: the workers of this process only. */
public final class LocalWorkerRegistry implements WorkerRegistry {

    private final ConcurrentHashMap<String, WorkerStatus> workers = new ConcurrentHashMap<>();
    private final Clock clock;

    public LocalWorkerRegistry(Clock clock) {
        this.clock = clock;
    }

    @Override
    public void beat(WorkerStatus status) {
        workers.put(status.id(), status.seenAt(clock.instant()));
    }

    @Override
    public Snapshot list() {
        return new Snapshot(clock.instant(), workers.values().stream().sorted(Comparator.comparing(WorkerStatus::id)).toList());
    }

    @Override
    public void leave(String workerId) {
        workers.remove(workerId);
    }
}
