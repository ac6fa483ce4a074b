package dev.runbox.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code threads} threads each doing one checked run after another for a warm-up and then a
 * window; counts the runs that ended inside the window. A run that throws is a failure, never a
 * run. Every thread finishes the run it has in flight before this returns, so the next measurement
 * starts from rest.
 */
final class Saturation {

    interface OneRun {
        void run() throws Exception;
    }

    private Saturation() {
    }

    static Rate measure(String name, int threads, double warmupSec, double windowSec, OneRun oneRun) throws InterruptedException {
        long warmEnd = System.nanoTime() + (long) (warmupSec * 1e9);
        long end = warmEnd + (long) (windowSec * 1e9);
        AtomicLong runs = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        AtomicBoolean reported = new AtomicBoolean();
        List<Thread> started = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(() -> {
                while (System.nanoTime() < end) {
                    try {
                        oneRun.run();
                        long now = System.nanoTime();
                        if (now >= warmEnd && now < end) runs.incrementAndGet();
                    } catch (InterruptedException e) {
                        return;
                    } catch (Exception e) {
                        failures.incrementAndGet();
                        if (reported.compareAndSet(false, true)) System.err.println("bench: " + name + " failed: " + e.getMessage());
                    }
                }
            }, "bench-" + name + "-" + i);
            started.add(t);
            t.start();
        }
        for (Thread t : started) t.join();
        return new Rate(runs.get(), windowSec, failures.get());
    }
}
