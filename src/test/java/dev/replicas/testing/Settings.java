package dev.replicas.testing;

import java.time.Duration;

/** The build's settings as failsafe passes them from pom.xml, the one place they are written: no fallbacks here. */
public final class Settings {

    private Settings() {
    }

    /** @return the system property {@code name}; fails when the build did not pass it */
    public static String of(String name) {
        String value = System.getProperty(name);
        if (value == null || value.isBlank() || value.startsWith("${")) {
            throw new IllegalStateException("system property " + name + " is not set: run the suite through Maven, "
                    + "whose failsafe passes it from pom.xml");
        }
        return value;
    }

    /** @return the system property {@code name}, a duration such as {@code 500ms}, {@code 2s} or {@code 1m} */
    public static Duration duration(String name) {
        String value = of(name);
        long amount = Long.parseLong(value.replaceAll("[a-z]+$", ""));
        return switch (value.replaceAll("^[0-9]+", "")) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> throw new IllegalStateException(name + "='" + value + "' is not a duration such as 2s");
        };
    }
}
