package dev.runbox.queue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InMemoryJobQueueTest extends JobQueueContract {

    @Override
    protected JobQueue newQueue(int capacity) {
        return new InMemoryJobQueue(capacity);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1})
    void capacity_below_one_is_rejected(int capacity) {
        assertThatThrownBy(() -> new InMemoryJobQueue(capacity)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void nothing_to_reclaim_in_memory() throws Exception {
        JobQueue q = newQueue(2);
        q.enqueue(job());
        q.take(SHORT).orElseThrow();
        // never acked: in memory, a taken job lives and dies with its worker's process
        assertThat(q.reclaimExpired()).isZero();
        assertThat(q.depth()).isZero();
    }
}
