package dev.replicas.hello;

import java.util.logging.Logger;

import dev.replicas.discovery.ConfigReader;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.Config;

/**
 * How many letters of {@code Data} each answer carries ({@value #KEY}, 0 to {@value #MAX}). A bad
 * value is logged in one line naming it, and the default is used: the payload is the load test's,
 * not worth refusing to serve over.
 */
@ApplicationScoped
public class PayloadSize {

    /** The setting. */
    public static final String KEY = "hello.payload.size";
    /** Used when the setting is bad; the shipped default is the same. */
    public static final int DEFAULT = 200_000;
    /** Upper bound: one response must not exhaust a small heap's worth of network buffers. */
    public static final int MAX = 10_000_000;

    private static final Logger LOG = Logger.getLogger(PayloadSize.class.getName());

    private final int letters;

    /**
     * @param config the application's MicroProfile Config
     */
    @Inject
    public PayloadSize(Config config) {
        ConfigReader reader = new ConfigReader(config);
        String expectation = "is not a number from 0 to " + MAX;
        int value = reader.optional(KEY, Integer.class, expectation).orElse(DEFAULT);
        if (value < 0 || value > MAX) {
            reader.reject(KEY, expectation);
        }
        if (reader.problems().isEmpty()) {
            this.letters = value;
        } else {
            this.letters = DEFAULT;
            reader.problems().forEach(problem -> LOG.warning("Bad configuration: " + problem + "; using " + DEFAULT));
        }
    }

    /** For the CDI client proxy only. */
    protected PayloadSize() {
        this.letters = 0;
    }

    /**
     * @return letters per answer
     */
    public int letters() {
        return letters;
    }
}
