package dev.replicas.discovery;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A duration as Consul writes it ({@code 500ms}, {@code 10s}, {@code 1m}, {@code 1h}): the text goes
 * to Consul as it is, the value is for our own timers. MicroProfile Config converts settings to it
 * through {@link #parse}.
 *
 * @param text  as configured, e.g. {@code 10s}
 * @param value the same as a {@link Duration}
 */
public record ConsulDuration(String text, Duration value) {

    private static final Pattern DURATION = Pattern.compile("([1-9][0-9]{0,8})(ms|s|m|h)");

    /**
     * @param raw a duration such as {@code 10s}
     * @return the parsed duration
     * @throws BadValueException saying what is wrong with {@code raw}
     */
    public static ConsulDuration parse(String raw) {
        String text = raw == null ? "" : raw.trim();
        Matcher m = DURATION.matcher(text);
        if (!m.matches()) {
            throw new BadValueException("is not a duration such as 500ms, 10s, 1m or 1h");
        }
        long amount = Long.parseLong(m.group(1));
        Duration value = switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
        };
        return new ConsulDuration(text, value);
    }

    @Override
    public String toString() {
        return text;
    }
}
