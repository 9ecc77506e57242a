package dev.streamtree.ingest.send;

import java.util.concurrent.atomic.AtomicLong;

/** Live counters of a send, safe to read from another thread (a progress printer). */
public final class SendProgress {

    final AtomicLong read = new AtomicLong();
    final AtomicLong sent = new AtomicLong();
    final AtomicLong rejected = new AtomicLong();
    final AtomicLong failed = new AtomicLong();

    public long read() {
        return read.get();
    }

    public long sent() {
        return sent.get();
    }

    public long rejected() {
        return rejected.get();
    }

    public long failed() {
        return failed.get();
    }
}
