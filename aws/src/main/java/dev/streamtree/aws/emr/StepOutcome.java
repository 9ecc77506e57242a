package dev.streamtree.aws.emr;

/**
 * How a waited-for step ended.
 *
 * @param stepId the EMR step id
 * @param state  the last state EMR reported (COMPLETED, FAILED, CANCELLED, or RUNNING/PENDING when the wait timed out)
 * @param detail EMR's failure reason and log file, or a note that the wait timed out; empty when completed
 */
public record StepOutcome(String stepId, String state, String detail) {

    public boolean completed() {
        return "COMPLETED".equals(state);
    }
}
