package dev.replicas.scaler;

import java.net.URI;
import java.time.DateTimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.ResourceBundle;
import java.util.function.Function;
import java.util.function.Predicate;

/** The scaler's settings, read as MicroProfile Config reads them; each problem is one line naming key and value. */
record ScalerConfig(String service, ScalingPolicy.Limits limits, double p99CeilingSeconds, Duration interval,
        URI prometheus, String prometheusUser, String prometheusPasswordFile, String prometheusCaFile,
        boolean dryRun, int metricsPort, List<String> problems) {

    /** Reads the settings from {@code source} (a key to its raw value, or null) over scaler.properties' defaults. */
    static ScalerConfig read(Function<String, String> source) {
        ResourceBundle defaults = ResourceBundle.getBundle("scaler"); // scaler.properties
        Function<String, String> value = key -> Optional.ofNullable(source.apply(key)).filter(v -> !v.isBlank())
                .orElse(defaults.getString(key)).trim(); // empty is unset, as in MicroProfile Config
        Checks c = new Checks(value, new ArrayList<>());
        int min = c.integer("scaler.min", 1);
        int max = c.integer("scaler.max", 1);
        if (min > max && c.problems.isEmpty()) {
            c.problems.add("scaler.min=" + min + " is more than scaler.max=" + max);
        }
        ScalingPolicy.Limits limits = new ScalingPolicy.Limits(min, max, c.decimal("scaler.target-rate", 0.001),
                c.decimal("scaler.tolerance", 0), c.integer("scaler.max-step-up", 1), c.duration("scaler.down-window"));
        double p99Ceiling = c.decimal("scaler.p99-ceiling", 0);
        Duration interval = c.duration("scaler.interval");
        URI prometheus = c.check("scaler.prometheus.url", URI::create, u -> String.valueOf(u.getScheme()).matches("https?"),
                "an http or https URL", URI.create("http://localhost/"));
        String dryRun = c.check("scaler.dry-run", v -> v, v -> v.matches("(?i)true|false"), "true or false", "false");
        return new ScalerConfig(value.apply("scaler.service"), limits, p99Ceiling, interval, prometheus,
                value.apply("scaler.prometheus.user"), value.apply("scaler.prometheus.password-file"),
                value.apply("scaler.prometheus.ca-file"), Boolean.parseBoolean(dryRun), c.integer("scaler.metrics-port", 1),
                List.copyOf(c.problems));
    }

    /** The process' settings: a key's system property, else its environment variable (scaler.min: SCALER_MIN). */
    static ScalerConfig fromEnvironment() {
        return read(key -> System.getProperty(key, System.getenv(key.replaceAll("\\W", "_").toUpperCase(Locale.ROOT))));
    }

    private record Checks(Function<String, String> value, List<String> problems) {
        <T> T check(String key, Function<String, T> parse, Predicate<T> valid, String what, T fallback) {
            String v = value.apply(key);
            try {
                T t = parse.apply(v);
                if (valid.test(t)) {
                    return t;
                }
            } catch (IllegalArgumentException | DateTimeException e) {
                // below: one line for both
            }
            problems.add(key + "=" + v + " is not " + what);
            return fallback;
        }

        int integer(String key, int least) {
            return check(key, Integer::valueOf, n -> n >= least, "a whole number of at least " + least, least);
        }

        double decimal(String key, double least) {
            return check(key, Double::valueOf, d -> d >= least && Double.isFinite(d), "a number of at least " + least, least);
        }

        Duration duration(String key) {
            return check(key, v -> Duration.parse("PT" + v.toUpperCase(Locale.ROOT)), d -> !d.isNegative() && !d.isZero(),
                    "a duration such as 15s or 5m", Duration.ofSeconds(1));
        }
    }
}
