package dev.streamtree.ingest.generate;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamtree.common.json.Json;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.SplittableRandom;

/**
 * The Agrawal loan-application stream, matching the built-in {@code agrawal} schema. Attributes are drawn as in
 * the original paper (and MOA's generator): the label is computed from the clean values, then numeric values are
 * perturbed by up to {@code perturbation} of their range, which is what keeps accuracy below 100%.
 *
 * <p>Deterministic by seed: the same seed, plan and perturbation give the same ids, features and labels; only
 * the event time comes from the clock. Not thread-safe.
 */
public final class AgrawalGenerator {

    private final SplittableRandom random;
    private final DriftPlan plan;
    private final double perturbation;
    private final String idPrefix;
    private final Clock clock;
    private long index;
    private Instant first;
    private java.util.function.BooleanSupplier driftReady;
    private Instant driftedAt;

    public AgrawalGenerator(long seed, DriftPlan plan, double perturbation, String idPrefix, Clock clock) {
        if (perturbation < 0 || perturbation > 1) {
            throw new IllegalArgumentException("perturbation must be within [0, 1], got " + perturbation);
        }
        this.random = new SplittableRandom(seed);
        this.plan = plan;
        this.perturbation = perturbation;
        this.idPrefix = idPrefix;
        this.clock = clock;
    }

    /** One generated event; {@code json} carries the label. */
    public record Event(String id, Instant eventTime, int function, String label, byte[] json) {

        /** The event's JSON without its label field, for a stream whose labels come later on the labels topic. */
        public byte[] jsonWithoutLabel() {
            try {
                ObjectNode node = (ObjectNode) Json.mapper().readTree(json);
                node.remove("label");
                return node.toString().getBytes(StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("generated event " + id + " is not JSON", e);
            }
        }
    }

    /**
     * Measures the plan's drift time from {@code start} instead of from the first event, so a caller that
     * reports seconds since its own origin sees the drift at exactly the planned second.
     */
    public AgrawalGenerator timedFrom(Instant start) {
        if (index > 0) {
            throw new IllegalStateException("the generator has already produced " + index + " events");
        }
        this.first = java.util.Objects.requireNonNull(start, "start");
        return this;
    }

    /**
     * Holds the plan's drift until {@code ready} says so: from the planned point on, each event asks it (until it
     * first answers true) and keeps the function before the drift while it answers false. The demo holds its drift
     * until a model has served long enough to have a pre-drift accuracy; {@link #driftedAt()} tells when it came.
     */
    public AgrawalGenerator holdDriftUntil(java.util.function.BooleanSupplier ready) {
        this.driftReady = java.util.Objects.requireNonNull(ready, "ready");
        return this;
    }

    /** The event time of the first event labelled by the function after the drift, or null before that. */
    public Instant driftedAt() {
        return driftedAt;
    }

    public Event next() {
        Instant now = clock.instant();
        if (first == null) {
            first = now;
        }
        int function = plan.functionAt(index, Duration.between(first, now));
        if (function != plan.function() && driftedAt == null) {
            if (driftReady != null && !driftReady.getAsBoolean()) {
                function = plan.function();
            } else {
                driftedAt = now;
            }
        }
        double salary = 20_000 + 130_000 * random.nextDouble();
        double commission = salary >= 75_000 ? 0 : 10_000 + 65_000 * random.nextDouble();
        int age = 20 + random.nextInt(61);
        int elevel = random.nextInt(5);
        int car = 1 + random.nextInt(20);
        int zipcode = random.nextInt(9);
        double hvalue = (9 - zipcode) * 100_000 * (0.5 + random.nextDouble());
        int hyears = 1 + random.nextInt(30);
        double loan = 500_000 * random.nextDouble();
        String label = AgrawalFunction.groupA(function, salary, commission, age, elevel, hvalue, hyears, loan) ? "A" : "B";

        String id = idPrefix + "-" + index;
        ObjectNode node = Json.mapper().createObjectNode();
        node.put("id", id);
        node.put("event_time", now.toString());
        node.put("salary", round(perturb(salary, 20_000, 150_000)));
        node.put("commission", round(commission == 0 ? 0 : perturb(commission, 10_000, 75_000)));
        node.put("age", round(perturb(age, 20, 80)));
        node.put("elevel", elevel);
        node.put("car", car);
        node.put("zipcode", zipcode);
        node.put("hvalue", round(perturb(hvalue, 0, 1_350_000)));
        node.put("hyears", round(perturb(hyears, 1, 30)));
        node.put("loan", round(perturb(loan, 0, 500_000)));
        node.put("label", label);
        index++;
        return new Event(id, now, function, label, node.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Records generated so far. */
    public long count() {
        return index;
    }

    private double perturb(double value, double min, double max) {
        if (perturbation == 0) {
            return value;
        }
        double shifted = value + (max - min) * perturbation * (2 * random.nextDouble() - 1);
        return Math.min(max, Math.max(min, shifted));
    }

    private static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }
}
