package dev.streamtree.ingest.cli;

import dev.streamtree.ingest.send.SendProgress;

import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Prints send progress (totals and the recent rate) every interval on a daemon thread. */
final class ProgressPrinter implements AutoCloseable {

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ingest-progress");
        t.setDaemon(true);
        return t;
    });
    private final SendProgress progress;
    private final PrintStream out;
    private final long started = System.nanoTime();
    private long lastSent;
    private long lastAt = System.nanoTime();

    ProgressPrinter(SendProgress progress, PrintStream out, Duration every) {
        this.progress = progress;
        this.out = out;
        timer.scheduleAtFixedRate(this::print, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void print() {
        long now = System.nanoTime();
        long sent = progress.sent();
        double rate = (sent - lastSent) / Math.max((now - lastAt) / 1e9, 1e-9);
        lastSent = sent;
        lastAt = now;
        out.printf("[ingest] %6.0fs  read %,d  sent %,d  rejected %,d  failed %,d  %,.0f records/s%n",
                (now - started) / 1e9, progress.read(), sent, progress.rejected(), progress.failed(), rate);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
