package dev.runbox.queue;

import dev.runbox.job.Submission;
import dev.runbox.job.SubmissionId;
import dev.runbox.testing.CompleteRecords;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What every {@link JobQueue} promises, whatever its backend. Subclass it once per implementation
 * (JobRunr's abstract {@code StorageProviderTest} pattern) and return an empty queue from {@link #newQueue}.
 */
public abstract class JobQueueContract {

    /** Short, because most takes here are expected to return at once; a hang fails by timeout. */
    protected static final Duration SHORT = Duration.ofMillis(200);
    private static final Duration LONG = Duration.ofSeconds(10);

    /** A new, empty queue that holds at most {@code capacity} waiting jobs. */
    protected abstract JobQueue newQueue(int capacity) throws Exception;

    /** A new job with every field set (see {@link CompleteRecords}), so a field the queue drops shows. */
    protected static Submission job() {
        return CompleteRecords.submission();
    }

    private static List<SubmissionId> ids(List<Submission> jobs) {
        return jobs.stream().map(Submission::id).toList();
    }

    private static List<SubmissionId> takeAll(JobQueue q, int n) throws InterruptedException {
        List<SubmissionId> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Optional<Lease> l = q.take(LONG);
            assertThat(l).as("take #%d of %d", i + 1, n).isPresent();
            out.add(l.get().job().id());
        }
        return out;
    }

    @Test
    void jobs_come_out_in_the_order_they_went_in() throws Exception {
        JobQueue q = newQueue(10);
        List<Submission> jobs = List.of(job(), job(), job(), job(), job());
        for (Submission j : jobs) q.enqueue(j);

        assertThat(takeAll(q, jobs.size())).containsExactlyElementsOf(ids(jobs));
    }

    @Test
    void taken_job_is_the_one_enqueued_field_for_field() throws Exception {
        JobQueue q = newQueue(10);
        Submission j = job();
        CompleteRecords.assertComplete(j);
        q.enqueue(j);

        Lease lease = q.take(LONG).orElseThrow();

        CompleteRecords.assertSameComponents(j, lease.job());
        assertThat(lease.delivery()).as("first delivery").isEqualTo(1);
    }

    @Test
    void take_on_an_empty_queue_returns_empty_after_waiting() throws Exception {
        JobQueue q = newQueue(10);
        long start = System.nanoTime();

        assertThat(q.take(SHORT)).isEmpty();

        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("waited").isGreaterThanOrEqualTo(SHORT.multipliedBy(8).dividedBy(10));
    }

    @Test
    void waiting_take_gets_a_job_enqueued_meanwhile() throws Exception {
        JobQueue q = newQueue(10);
        ExecutorService taker = Executors.newSingleThreadExecutor();
        try {
            CountDownLatch started = new CountDownLatch(1);
            CompletableFuture<Optional<Lease>> taken = CompletableFuture.supplyAsync(() -> {
                started.countDown();
                try {
                    return q.take(LONG);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }, taker);
            started.await();
            Submission j = job();
            q.enqueue(j);

            assertThat(taken.get(LONG.toSeconds(), TimeUnit.SECONDS)).map(Lease::job).contains(j);
        } finally {
            taker.shutdownNow();
        }
    }

    @Test
    void a_job_is_handed_out_once() throws Exception {
        JobQueue q = newQueue(10);
        q.enqueue(job());
        q.take(LONG).orElseThrow();

        assertThat(q.take(SHORT)).isEmpty();
    }

    @Test
    void full_queue_refuses_at_once_and_keeps_what_it_accepted() throws Exception {
        JobQueue q = newQueue(3);
        List<Submission> accepted = List.of(job(), job(), job());
        for (Submission j : accepted) q.enqueue(j);

        assertThatThrownBy(() -> q.enqueue(job())).isInstanceOf(QueueFullException.class).hasMessageContaining("3");
        assertThat(q.depth()).isEqualTo(3);
        assertThat(takeAll(q, 3)).containsExactlyElementsOf(ids(accepted));
        assertThat(q.take(SHORT)).as("the refused job must not have gone in").isEmpty();
    }

    @Test
    void taking_a_job_frees_its_place() throws Exception {
        JobQueue q = newQueue(1);
        Submission first = job();
        q.enqueue(first);
        q.take(LONG).orElseThrow();

        Submission second = job();
        q.enqueue(second);

        assertThat(q.take(LONG)).map(Lease::job).contains(second);
    }

    @Test
    void depth_counts_jobs_waiting_not_jobs_taken() throws Exception {
        JobQueue q = newQueue(10);
        assertThat(q.depth()).isZero();
        q.enqueue(job());
        q.enqueue(job());
        assertThat(q.depth()).isEqualTo(2);

        q.take(LONG).orElseThrow();

        assertThat(q.depth()).isEqualTo(1);
    }

    @Test
    void acked_job_is_not_reclaimed() throws Exception {
        JobQueue q = newQueue(10);
        q.enqueue(job());
        Lease lease = q.take(LONG).orElseThrow();

        q.ack(lease);

        assertThat(q.reclaimExpired()).isZero();
        assertThat(q.depth()).isZero();
        assertThat(q.take(SHORT)).isEmpty();
    }

    @Test
    void concurrent_producers_and_consumers_lose_and_duplicate_nothing() throws Exception {
        int producers = 4;
        int perProducer = 200;
        JobQueue q = newQueue(producers * perProducer / 4);
        Set<SubmissionId> accepted = ConcurrentHashMap.newKeySet();
        Set<SubmissionId> taken = ConcurrentHashMap.newKeySet();
        AtomicInteger duplicates = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(producers + 2);
        try {
            List<CompletableFuture<Void>> producing = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                producing.add(CompletableFuture.runAsync(() -> {
                    for (int i = 0; i < perProducer; i++) {
                        Submission j = job();
                        try {
                            q.enqueue(j);
                            accepted.add(j.id());
                        } catch (QueueFullException full) {
                            refused.incrementAndGet();
                        }
                    }
                }, pool));
            }
            CompletableFuture<Void> allProduced = CompletableFuture.allOf(producing.toArray(CompletableFuture[]::new));
            List<CompletableFuture<Void>> consuming = new ArrayList<>();
            for (int c = 0; c < 2; c++) {
                consuming.add(CompletableFuture.runAsync(() -> {
                    try {
                        while (true) {
                            Optional<Lease> l = q.take(SHORT);
                            if (l.isPresent()) {
                                if (!taken.add(l.get().job().id())) duplicates.incrementAndGet();
                                q.ack(l.get());
                            } else if (allProduced.isDone()) {
                                return;
                            }
                        }
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }, pool));
            }
            CompletableFuture.allOf(consuming.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            allProduced.get();
        } finally {
            pool.shutdownNow();
        }

        assertThat(accepted.size() + refused.get()).isEqualTo(producers * perProducer);
        assertThat(duplicates.get()).isZero();
        assertThat(new HashSet<>(taken)).isEqualTo(accepted);
        assertThat(q.depth()).isZero();
    }
}
