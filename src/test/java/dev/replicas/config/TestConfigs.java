package dev.replicas.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.eclipse.microprofile.config.Config;

/**
 * Real MicroProfile Config (SmallRye, as Liberty's mpConfig uses) with the application's converter
 * services, over the defaults the application ships and Liberty's {@code http.port} (a server.xml
 * variable), with test values on top, as environment variables would be.
 */
public final class TestConfigs {

    private TestConfigs() {
    }

    /**
     * @param values settings that override the shipped defaults
     * @return the configuration the application would see
     */
    public static Config of(Map<String, String> values) {
        Properties defaults = new Properties();
        try (InputStream in = TestConfigs.class.getResourceAsStream("/META-INF/microprofile-config.properties")) {
            defaults.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> shipped = new HashMap<>();
        defaults.forEach((k, v) -> shipped.put((String) k, (String) v));
        return new SmallRyeConfigBuilder()
                .addDiscoveredConverters()
                .withSources(new PropertiesConfigSource(Map.of("http.port", "8000"), "server.xml", 50))
                .withSources(new PropertiesConfigSource(shipped, "microprofile-config.properties", 100))
                .withSources(new EnvConfigSource(new HashMap<>(values), 300))
                .build();
    }
}
