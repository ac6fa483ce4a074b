package dev.runbox.sandbox.run;

import dev.runbox.sandbox.SandboxFailure;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Unprivileged host uids for runs, one per concurrent run, so that two runs never share a uid (per-uid
 * kernel limits and ownership stay separate). The uids need no passwd entry.
 */
public final class UidPool {
    private final BlockingQueue<Integer> free;

    public UidPool(int firstUid, int count) {
        if (firstUid < 1000) throw new IllegalArgumentException("sandbox uids must be >= 1000, got " + firstUid);
        free = new ArrayBlockingQueue<>(count);
        for (int i = 0; i < count; i++) free.add(firstUid + i);
    }

    public int take() throws SandboxFailure, InterruptedException {
        Integer uid = free.poll(30, TimeUnit.SECONDS);
        if (uid == null) throw new SandboxFailure("no free sandbox uid after 30 s: more concurrent runs than uids");
        return uid;
    }

    public void release(int uid) {
        free.add(uid);
    }
}
