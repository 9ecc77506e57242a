package dev.streamtree.common.registry;

import java.time.Instant;

/**
 * One move of the current pointer.
 *
 * @param at       when
 * @param from     the version current before, or null
 * @param to       the version current after
 * @param action   promote or rollback
 * @param reason   free text given by whoever moved it
 */
public record Promotion(Instant at, VersionId from, VersionId to, String action, String reason) {
}
