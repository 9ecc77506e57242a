package dev.streamtree.aws.emr;

import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.waiters.WaiterOverrideConfiguration;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.emr.EmrClient;
import software.amazon.awssdk.services.emr.model.FailureDetails;
import software.amazon.awssdk.services.emr.model.Step;
import software.amazon.awssdk.services.emr.waiters.EmrWaiter;

/**
 * Sends the requests of {@link EmrRequests} with a caller-supplied client (credentials from the SDK's default chain
 * in production, never from the config). Failures of the EMR API surface as the SDK's exceptions.
 */
public final class EmrDeployer {

    private static final Logger LOG = LoggerFactory.getLogger(EmrDeployer.class);

    private final EmrClient emr;

    public EmrDeployer(EmrClient emr) {
        this.emr = Objects.requireNonNull(emr, "emr");
    }

    /** Creates the cluster with the streaming job as its first step and returns the cluster id. */
    public String up(EmrDeployConfig config) {
        String clusterId = emr.runJobFlow(EmrRequests.runJobFlow(config)).jobFlowId();
        LOG.info("created EMR cluster {} ({}) with the streaming step", clusterId, config.cluster().name());
        return clusterId;
    }

    /** Adds one retrain step to a running cluster and returns its step id without waiting. */
    public String addRetrainStep(EmrDeployConfig config, String clusterId) {
        String stepId = emr.addJobFlowSteps(EmrRequests.addRetrainStep(config, clusterId)).stepIds().get(0);
        LOG.info("added retrain step {} to cluster {}", stepId, clusterId);
        return stepId;
    }

    /**
     * Waits with the SDK's step-complete waiter, polling every {@code pollInterval} for at most {@code maxWait}.
     * The waiter ends on COMPLETED (success), FAILED or CANCELLED (failure acceptors) or on the timeout; the step
     * is then described once more so the outcome carries EMR's failure reason.
     */
    public StepOutcome awaitStep(String clusterId, String stepId, Duration maxWait, Duration pollInterval) {
        if (maxWait.isNegative() || maxWait.isZero() || pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("wait timeout " + maxWait + " and poll interval " + pollInterval + " must be positive");
        }
        WaiterOverrideConfiguration override = WaiterOverrideConfiguration.builder()
                .waitTimeout(maxWait)
                .maxAttempts(Integer.MAX_VALUE)
                .backoffStrategyV2(BackoffStrategy.fixedDelay(pollInterval))
                .build();
        try (EmrWaiter waiter = EmrWaiter.builder().client(emr).build()) {
            waiter.waitUntilStepComplete(EmrRequests.describeStep(clusterId, stepId), override);
            return new StepOutcome(stepId, "COMPLETED", "");
        } catch (SdkClientException waitEnded) {
            Step step = emr.describeStep(EmrRequests.describeStep(clusterId, stepId)).step();
            String state = step.status().stateAsString();
            String detail = switch (state) {
                case "FAILED", "CANCELLED", "INTERRUPTED" -> failure(step.status().failureDetails(), state);
                case "COMPLETED" -> "";
                default -> "still " + state + " after waiting " + maxWait;
            };
            LOG.warn("retrain step {} on {} ended the wait as {}: {}", stepId, clusterId, state, detail);
            return new StepOutcome(stepId, state, detail);
        }
    }

    /** Terminates the cluster, streaming job included. */
    public void down(String clusterId) {
        emr.terminateJobFlows(EmrRequests.terminate(clusterId));
        LOG.info("terminating EMR cluster {}", clusterId);
    }

    private static String failure(FailureDetails details, String state) {
        if (details == null) {
            return "step " + state;
        }
        StringBuilder text = new StringBuilder("step ").append(state);
        if (details.reason() != null) {
            text.append(": ").append(details.reason());
        }
        if (details.message() != null) {
            text.append(" (").append(details.message()).append(')');
        }
        if (details.logFile() != null) {
            text.append("; log ").append(details.logFile());
        }
        return text.toString();
    }
}
