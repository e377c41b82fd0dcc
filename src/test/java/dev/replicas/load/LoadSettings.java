package dev.replicas.load;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Properties;

/**
 * The load test's settings, from system properties that the {@code load} Maven profile passes to
 * Gatling's JVM. The defaults are the seed's test: 100 requests per second for 60 s (6,000
 * requests) to Fabio's balanced endpoint, 10 s request timeout, 200,000 letters of Data.
 *
 * @param rate            new users (each sends one request) per second
 * @param durationSeconds how long users keep arriving
 * @param url             the balanced endpoint
 * @param timeoutSeconds  request timeout: a request without a full answer by then fails
 * @param payload         expected length of {@code Data}
 * @param successPercent  Gatling assertion: at least this share of requests must succeed
 * @param outputDir       where the simulation writes its side files for {@link LoadReport}
 * @param containerPrefix containers whose name starts with this are sampled with docker stats
 * @param samplePeriodMs  aim for one docker stats sample this often
 */
public record LoadSettings(double rate, int durationSeconds, String url, int timeoutSeconds, int payload,
                           double successPercent, Path outputDir, String containerPrefix, long samplePeriodMs) {

    public static LoadSettings fromSystemProperties() {
        return from(System.getProperties());
    }

    static LoadSettings from(Properties p) {
        return new LoadSettings(
                Double.parseDouble(p.getProperty("load.rate", "100")),
                Integer.parseInt(p.getProperty("load.duration", "60")),
                p.getProperty("load.url", "http://localhost:9000/hello/api/v1"),
                Integer.parseInt(p.getProperty("load.timeout", "10")),
                Integer.parseInt(p.getProperty("load.payload", "200000")),
                Double.parseDouble(p.getProperty("load.successPercent", "100")),
                Path.of(p.getProperty("load.outputDir", "target")),
                p.getProperty("load.containerPrefix", "hello-"),
                Long.parseLong(p.getProperty("load.samplePeriodMs", "2000")));
    }

    /** Users (= requests) the open model injects. */
    public long expectedRequests() {
        return Math.round(rate * durationSeconds);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s users/s for %d s (%,d requests) to %s, timeout %d s, Data %,d letters,"
                        + " pass at >= %s%% success", trim(rate), durationSeconds, expectedRequests(), url,
                timeoutSeconds, payload, trim(successPercent));
    }

    private static String trim(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
