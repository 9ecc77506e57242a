package dev.streamtree.retrain.cli;

import dev.streamtree.common.config.Durations;
import dev.streamtree.common.config.JobOptions;
import dev.streamtree.common.control.ControlMessage.RetrainRequest;
import dev.streamtree.common.control.ControlMessage.RetrainStatus;
import dev.streamtree.retrain.RetrainOutcome;
import dev.streamtree.retrain.schedule.ControlChannel;
import dev.streamtree.retrain.schedule.StatusWaiter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;

@Command(name = "trigger", mixinStandardHelpOptions = true,
        description = {"Ask a running scheduler for a retrain (publishes a request with a fresh id on the control topic).",
                "With --wait, exit codes: 0 promoted, 3 kept, 1 failed, 4 no final status before --timeout."})
public final class TriggerCommand implements Callable<Integer> {

    /** Exit code when no final status arrives in time. */
    public static final int EXIT_TIMEOUT = 4;

    @Mixin
    JobOptions job;

    @Option(names = "--wait", description = "Wait for the final status of this request.")
    boolean await;

    @Option(names = "--timeout", defaultValue = "10m", description = "How long --wait waits (default: ${DEFAULT-VALUE}).")
    String timeout;

    @Option(names = "--force", description = "Promote even when the candidate is worse than the champion.")
    boolean force;

    @Option(names = "--train-from", paramLabel = "TIME",
            description = "Train only on rows with an event time at or after TIME (ISO-8601, e.g. 2026-12-02T10:00:00Z), "
                    + "as a drift retrain does from its change point.")
    String trainFrom;

    @Override
    public Integer call() {
        Duration limit = Durations.parse(timeout);
        Instant from = null;
        if (trainFrom != null) {
            try {
                from = Instant.parse(trainFrom);
            } catch (java.time.format.DateTimeParseException e) {
                throw new IllegalArgumentException("--train-from '" + trainFrom + "' is not an ISO-8601 instant "
                        + "(e.g. 2026-12-02T10:00:00Z)");
            }
        }
        RetrainRequest request = new RetrainRequest(UUID.randomUUID().toString(), Instant.now(), force, requester(),
                dev.streamtree.common.control.ControlMessage.Reason.REQUEST, from);
        try (ControlChannel channel = new ControlChannel(job.kafka(), job.topics().control())) {
            if (!await) {
                channel.publish(request);
                System.out.println("requested retrain " + request.requestId() + " on " + channel.topic());
                return 0;
            }
            try (StatusWaiter waiter = new StatusWaiter(channel, Duration.ofSeconds(30))) {
                channel.publish(request);
                System.out.println("requested retrain " + request.requestId() + "; waiting up to " + Durations.format(limit));
                Optional<RetrainStatus> status = waiter.awaitFinal(request.requestId(), limit,
                        s -> System.out.println(s.status().wireName() + ": " + s.detail()));
                if (status.isEmpty()) {
                    System.err.println("no final status for request " + request.requestId() + " within " + Durations.format(limit)
                            + " (is `retrain-job schedule` running against " + channel.topic() + "?)");
                    return EXIT_TIMEOUT;
                }
                return switch (status.get().status()) {
                    case PROMOTED -> RetrainOutcome.EXIT_PROMOTED;
                    case KEPT -> RetrainOutcome.EXIT_KEPT;
                    default -> RetrainOutcome.EXIT_FAILED;
                };
            }
        }
    }

    private static String requester() {
        String user = System.getProperty("user.name", "unknown");
        try {
            return user + "@" + java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return user;
        }
    }
}
