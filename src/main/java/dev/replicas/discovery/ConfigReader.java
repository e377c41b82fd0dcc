package dev.replicas.discovery;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.eclipse.microprofile.config.Config;

/**
 * Reads settings through MicroProfile Config, which finds them (environment, system properties,
 * {@code microprofile-config.properties}) and converts them (built-in converters, and the
 * {@code parse} methods of {@link ConsulAddress} and {@link ConsulDuration}), and collects what is
 * wrong as one line per key: {@code KEY='value' what is wrong}.
 *
 * <p>Why not {@code @ConfigProperty} injection: a value that does not convert would fail the whole
 * deployment with the implementation's own message, and the replica should still serve, and name
 * the key and the value in one line of its own.
 */
public final class ConfigReader {

    private final Config config;
    private final List<String> problems = new ArrayList<>();

    /**
     * @param config the application's configuration
     */
    public ConfigReader(Config config) {
        this.config = config;
    }

    /**
     * @param key         the setting
     * @param type        what it converts to
     * @param expectation what a good value is, for the message when the converter says nothing useful
     * @return the value, or empty when it is not set or does not convert (then a problem is recorded)
     */
    public <T> Optional<T> optional(String key, Class<T> type, String expectation) {
        try {
            return config.getOptionalValue(key, type);
        } catch (IllegalArgumentException e) {
            problems.add(key + "='" + raw(key) + "' " + reason(e, expectation));
            return Optional.empty();
        }
    }

    /**
     * @return the value, or empty when it is not set, is blank, or does not convert (a problem each)
     */
    public <T> Optional<T> required(String key, Class<T> type, String expectation) {
        if (raw(key).isBlank()) {
            problems.add(key + " is not set");
            return Optional.empty();
        }
        return optional(key, type, expectation);
    }

    /**
     * Records a problem with a value that converted but is not acceptable.
     */
    public void reject(String key, String problem) {
        problems.add(key + "='" + raw(key) + "' " + problem);
    }

    /**
     * @return the raw text of a setting, empty when unset
     */
    public String raw(String key) {
        String value = config.getConfigValue(key).getRawValue();
        return value == null ? "" : value.trim();
    }

    /**
     * @return what was wrong so far, one line per key
     */
    public List<String> problems() {
        return List.copyOf(problems);
    }

    /** Our own converters' messages say what is wrong; other converters' name the implementation. */
    private static String reason(Throwable e, String expectation) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof BadValueException) {
                return t.getMessage();
            }
        }
        return expectation;
    }
}
