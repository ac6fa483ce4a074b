package dev.runbox.queue;

/** The queue is at its configured bound; the caller should retry later. */
public class QueueFullException extends Exception {
    public QueueFullException(int capacity) {
        super("the job queue is full (" + capacity + " jobs waiting)");
    }
}
