package dev.replicas.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import dev.replicas.discovery.RegistrationSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Configuration resolution, on top of the defaults the application really ships. */
class HelloConfigTest {

    private final Map<String, String> values = new HashMap<>();
    private final List<LogRecord> logged = new ArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            logged.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void loadShippedDefaults() throws IOException {
        Properties defaults = new Properties();
        try (InputStream in = getClass().getResourceAsStream("/META-INF/microprofile-config.properties")) {
            defaults.load(in);
        }
        defaults.forEach((k, v) -> values.put((String) k, (String) v));
        values.put("http.port", "8000");
        Logger.getLogger(HelloConfig.class.getName()).addHandler(capture);
    }

    @AfterEach
    void stopCapturing() {
        Logger.getLogger(HelloConfig.class.getName()).removeHandler(capture);
    }

    private HelloConfig config() {
        return HelloConfig.from(key -> Optional.ofNullable(values.get(key)), () -> "10.1.2.3");
    }

    @Test
    void defaultsGiveTheSeedsRegistration() {
        values.put("DOCKERPORT", "8003");
        HelloConfig config = config();
        RegistrationSettings s = config.registration().orElseThrow();
        assertEquals("http://localhost:8500", s.consul().url());
        assertEquals("hello-server", s.serviceName());
        assertEquals("10.1.2.3", s.address());
        assertEquals(8003, s.port());
        assertEquals(List.of("urlprefix-/hello/api/v1"), s.tags());
        assertEquals("10s", s.checkInterval());
        assertEquals("30s", s.checkTimeout());
        assertEquals("1m", s.deregisterAfter());
        assertEquals(30, s.refresh().toSeconds());
        assertTrue(s.token().isEmpty());
        assertEquals(200_000, config.payloadSize());
        assertTrue(logged.isEmpty(), "nothing to complain about");
    }

    @Test
    void withoutDockerPortTheServersOwnPortIsRegistered() {
        values.put("http.port", "9080");
        assertEquals(9080, config().registration().orElseThrow().port());
    }

    @Test
    void explicitSettingsWin() {
        values.put("DOCKERPORT", "8001");
        values.put("CONSUL_HTTP_ADDR", "https://consul.internal:8501");
        values.put("CONSUL_HTTP_TOKEN", " secret ");
        values.put("hello.advertise.address", "host.docker.internal");
        values.put("hello.check.interval", "2s");
        RegistrationSettings s = config().registration().orElseThrow();
        assertEquals("https://consul.internal:8501", s.consul().url());
        assertEquals(Optional.of("secret"), s.token());
        assertEquals("http://host.docker.internal:8001/health", s.checkUrl());
        assertEquals("2s", s.checkInterval());
    }

    @Test
    void extraTagsFollowTheRoute() {
        values.put("hello.service.tags", " urlprefix-/replica/8003/ strip=/replica/8003 , blue,,");
        assertEquals(List.of("urlprefix-/hello/api/v1", "urlprefix-/replica/8003/ strip=/replica/8003", "blue"),
                config().registration().orElseThrow().tags());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "DOCKERPORT              | abc         | DOCKERPORT='abc' is not a port number (1-65535)",
            "DOCKERPORT              | 70000       | DOCKERPORT='70000' is not a port number (1-65535)",
            "DOCKERPORT              | 0           | DOCKERPORT='0' is not a port number (1-65535)",
            "CONSUL_HTTP_ADDR        | consul:port | CONSUL_HTTP_ADDR='consul:port' has no valid host name",
            "CONSUL_HTTP_ADDR        | ftp://c:1   | CONSUL_HTTP_ADDR='ftp://c:1' has scheme 'ftp'",
            "hello.advertise.address | not an ip!  | hello.advertise.address='not an ip!' is not a host name or IP address",
            "hello.check.interval    | 10 seconds  | hello.check.interval='10 seconds' is not a duration",
            "hello.registration.enabled | yes      | hello.registration.enabled='yes' is not true or false",
    })
    void aBadValueIsOneLogLineNamingKeyAndValueAndNothingIsRegistered(String key, String value, String message) {
        values.put(key, value);
        HelloConfig config = config();
        assertTrue(config.registration().isEmpty(), "must not register with " + key + "=" + value);
        assertEquals(1, config.problems().size(), config.problems().toString());
        assertTrue(config.problems().get(0).startsWith(message), config.problems().get(0));
        assertEquals(1, logged.size());
        assertTrue(logged.get(0).getMessage().contains(key + "='" + value + "'"), logged.get(0).getMessage());
    }

    @Test
    void everyBadKeyIsReported() {
        values.put("DOCKERPORT", "x");
        values.put("CONSUL_HTTP_ADDR", "");
        HelloConfig config = config();
        assertEquals(2, config.problems().size(), config.problems().toString());
        assertTrue(config.problems().get(1).startsWith("CONSUL_HTTP_ADDR is not set"));
        assertEquals(2, logged.size());
    }

    @Test
    void registrationCanBeSwitchedOff() {
        values.put("hello.registration.enabled", "false");
        values.put("DOCKERPORT", "garbage is not even looked at");
        HelloConfig config = config();
        assertFalse(config.registrationEnabled());
        assertTrue(config.registration().isEmpty());
        assertTrue(config.problems().isEmpty());
        assertTrue(logged.isEmpty());
    }

    @ParameterizedTest
    @CsvSource({"0, 0", "1024, 1024", "10000000, 10000000", "10000001, 200000", "-1, 200000", "lots, 200000"})
    void payloadSizeIsBounded(String configured, int used) {
        values.put("hello.payload.size", configured);
        HelloConfig config = config();
        assertEquals(used, config.payloadSize());
        int expectedWarnings = configured.equals(String.valueOf(used)) ? 0 : 1;
        assertEquals(expectedWarnings, logged.size());
    }
}
