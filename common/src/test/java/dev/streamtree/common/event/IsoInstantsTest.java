package dev.streamtree.common.event;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IsoInstantsTest {

    @Test
    void fastPathAgreesWithInstantParseOnRandomTimesWithEveryFractionLength() {
        Random random = new Random(7);
        long from = Instant.parse("1899-12-31T00:00:00Z").getEpochSecond();
        long to = Instant.parse("2101-01-01T00:00:00Z").getEpochSecond();
        for (int i = 0; i < 200_000; i++) {
            Instant instant = Instant.ofEpochSecond(from + (long) (random.nextDouble() * (to - from)),
                    random.nextInt(1_000_000_000));
            String seconds = instant.toString().substring(0, 19);
            String nanos = String.format("%09d", instant.getNano());
            int digits = i % 10;
            String text = seconds + (digits == 0 ? "" : "." + nanos.substring(0, digits)) + "Z";
            assertThat(IsoInstants.fast(text)).as(text).isNotNull().isEqualTo(Instant.parse(text));
        }
    }

    @Test
    void formatWritesInstantToStringsTextForRandomTimesAndEdges() {
        Random random = new Random(11);
        long from = Instant.parse("0999-06-01T00:00:00Z").getEpochSecond();
        long to = Instant.parse("+10001-01-01T00:00:00Z").getEpochSecond();
        for (int i = 0; i < 200_000; i++) {
            long second = i % 2 == 0 ? from + (long) (random.nextDouble() * (to - from))
                    : Instant.parse("2026-12-04T00:00:00Z").getEpochSecond() + random.nextInt(86_400 * 400);
            int nanos = switch (i % 4) {
                case 0 -> 0;
                case 1 -> random.nextInt(1_000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1_000;
                default -> random.nextInt(1_000_000_000);
            };
            Instant instant = Instant.ofEpochSecond(second, nanos);
            assertThat(IsoInstants.format(instant)).isEqualTo(instant.toString());
        }
        for (String text : List.of("1000-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z", "0999-12-31T23:59:59Z",
                "+10000-01-01T00:00:00Z", "1969-12-31T23:59:59.000001Z", "2024-02-29T12:00:00.100Z")) {
            Instant instant = Instant.parse(text);
            assertThat(IsoInstants.format(instant)).isEqualTo(instant.toString()).isEqualTo(text);
        }
        assertThat(IsoInstants.format(Instant.MIN)).isEqualTo(Instant.MIN.toString());
        assertThat(IsoInstants.format(Instant.MAX)).isEqualTo(Instant.MAX.toString());
    }

    @Test
    void leapDaysMonthEndsAndEpochBoundaries() {
        for (String text : List.of("2024-02-29T23:59:59Z", "2000-02-29T00:00:00Z", "1970-01-01T00:00:00Z",
                "1969-12-31T23:59:59.999999999Z", "2026-12-31T23:59:59.5Z", "2026-11-25T12:00:00.123Z")) {
            assertThat(IsoInstants.fast(text)).as(text).isEqualTo(Instant.parse(text));
        }
    }

    @Test
    void everythingElseGoesToInstantParseWithItsResultOrError() {
        for (String text : List.of("2026-11-25T12:00:00+01:00", "2026-11-25t12:00:00z", "2026-11-25T12:00Z")) {
            assertThat(IsoInstants.fast(text)).as(text).isNull();
        }
        assertThat(IsoInstants.parse("2026-11-25T12:00:00+01:00")).isEqualTo(Instant.parse("2026-11-25T11:00:00Z"));
        for (String text : List.of("2023-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2026-04-31T00:00:00Z",
                "2026-13-01T00:00:00Z", "2026-11-25T24:00:00Z", "2026-11-25T12:60:00Z", "2026-11-25T12:00:00.Z",
                "2026-11-25T12:00:00.1234567890Z", "2026-11-25 12:00:00Z", "2026-11-2xT12:00:00Z", "yesterday")) {
            assertThat(IsoInstants.fast(text)).as(text).isNull();
            assertThat(outcome(() -> IsoInstants.parse(text))).as(text).isEqualTo(outcome(() -> Instant.parse(text)));
        }
        assertThatThrownBy(() -> IsoInstants.parse("yesterday")).isInstanceOf(DateTimeParseException.class);
    }

    /** The instant, or the exception's class and message. */
    private static Object outcome(java.util.function.Supplier<Instant> parse) {
        try {
            return parse.get();
        } catch (DateTimeParseException e) {
            return e.getClass() + ": " + e.getMessage();
        }
    }
}
