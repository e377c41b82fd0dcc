package dev.replicas.config;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.regex.Pattern;

import org.eclipse.microprofile.config.spi.Converter;

/** Reads durations as Consul writes them ({@code 500ms}, {@code 10s}, {@code 1m}, {@code 1h}, not 0), not ISO-8601. */
public class DurationConverter implements Converter<Duration> {

    private static final Pattern DURATION = Pattern.compile("([1-9][0-9]{0,8})(ms|s|m|h)");
    private static final Map<String, ChronoUnit> UNITS =
            Map.of("ms", ChronoUnit.MILLIS, "s", ChronoUnit.SECONDS, "m", ChronoUnit.MINUTES, "h", ChronoUnit.HOURS);

    @Override
    public Duration convert(String raw) {
        var m = DURATION.matcher(raw == null ? "" : raw.trim());
        if (!m.matches()) {
            throw new BadValueException("is not a duration such as 500ms, 10s, 1m or 1h");
        }
        return Duration.of(Long.parseLong(m.group(1)), UNITS.get(m.group(2)));
    }

    /** @return the duration as Consul reads it, in the largest whole unit: {@code 1m}, not {@code 60s} */
    public static String format(Duration duration) {
        long ms = duration.toMillis();
        return ms % 3_600_000 == 0 ? ms / 3_600_000 + "h" : ms % 60_000 == 0 ? ms / 60_000 + "m"
                : ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }
}
