package dev.streamtree.ingest.cli;

import dev.streamtree.common.config.Durations;
import picocli.CommandLine.ITypeConverter;

import java.time.Duration;

/** Lets options take 30s, 5m, 2h. */
public final class DurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
        return Durations.parse(value);
    }
}
