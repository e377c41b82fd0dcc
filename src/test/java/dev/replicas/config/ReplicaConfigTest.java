package dev.replicas.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.google.common.net.InetAddresses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every setting through real MicroProfile Config, on top of the shipped defaults: the registration's,
 * and those of the payload, the warm-up and the drain, which follow the same rule for a bad value.
 */
class ReplicaConfigTest {

    private final Map<String, String> values = new HashMap<>();
    private LogCapture log;

    @BeforeEach
    void start() {
        values.put("http.port", "8000");
        log = LogCapture.of(ReplicaConfig.class);
    }

    @AfterEach
    void stopCapturing() {
        log.close();
    }

    private ReplicaSettings config() {
        return ReplicaConfig.read(TestConfigs.of(values), () -> "10.1.2.3", List::of);
    }

    @Test
    void defaultsGiveTheSeedsRegistration() {
        values.put("DOCKERPORT", "8003");
        ReplicaSettings.Registration s = config().registration().orElseThrow();
        assertEquals("http://localhost:8500", s.consul().url());
        assertEquals("hello-server", s.serviceName());
        assertEquals("10.1.2.3", s.address());
        assertEquals(8003, s.port());
        assertEquals(List.of("urlprefix-/hello/api/v1"), s.tags());
        assertEquals(Duration.ofSeconds(10), s.checkInterval());
        assertEquals(Duration.ofSeconds(30), s.checkTimeout());
        assertEquals(Duration.ofMinutes(1), s.deregisterAfter());
        assertEquals(30, s.refresh().toSeconds());
        assertEquals(30, s.retryMax().toSeconds());
        assertTrue(s.token().isEmpty());
        assertTrue(log.records().isEmpty(), "nothing to complain about");
    }

    @Test
    void withoutDockerPortTheServersOwnPortIsRegistered() {
        values.put("http.port", "9080");
        assertEquals(9080, config().registration().orElseThrow().port());
    }

    @Test
    void environmentVariablesNameTheKeysTheirOwnWay() {
        values.put("HELLO_CHECK_INTERVAL", "2s");
        values.put("HELLO_REGISTRATION_RETRY_MAX", "2s");
        ReplicaSettings.Registration s = config().registration().orElseThrow();
        assertEquals(Duration.ofSeconds(2), s.checkInterval());
        assertEquals(2, s.retryMax().toSeconds());
    }

    @Test
    void explicitSettingsWin() {
        values.put("DOCKERPORT", "8001");
        values.put("CONSUL_HTTP_ADDR", "https://consul.internal:8501");
        values.put("CONSUL_HTTP_TOKEN", " secret ");
        values.put("hello.advertise.address", "host.docker.internal");
        values.put("hello.check.interval", "2s");
        ReplicaSettings.Registration s = config().registration().orElseThrow();
        assertEquals("https://consul.internal:8501", s.consul().url());
        assertEquals(Optional.of("secret"), s.token());
        assertEquals("http://host.docker.internal:8001/health", s.checkUrl());
        assertEquals(Duration.ofSeconds(2), s.checkInterval());
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
            "hello.registration.retry-max | soon   | hello.registration.retry-max='soon' is not a duration",
            "hello.registration.enabled | yes      | hello.registration.enabled='yes' is not true or false",
    })
    void aBadValueIsOneLogLineNamingKeyAndValueAndNothingIsRegistered(String key, String value, String message) {
        values.put(key, value);
        ReplicaSettings config = config();
        assertTrue(config.registration().isEmpty(), "must not register with " + key + "=" + value);
        assertEquals(1, config.problems().size(), config.problems().toString());
        assertTrue(config.problems().get(0).startsWith(message), config.problems().get(0));
        assertEquals(1, log.records().size());
        assertTrue(log.records().get(0).getMessage().contains(key + "='" + value + "'"), log.records().get(0).getMessage());
        assertTrue(log.records().get(0).getMessage().endsWith("this replica will not register in Consul"));
    }

    @Test
    void everyBadKeyIsReported() {
        values.put("DOCKERPORT", "x");
        values.put("CONSUL_HTTP_ADDR", "");
        ReplicaSettings config = config();
        assertEquals(2, config.problems().size(), config.problems().toString());
        assertTrue(config.problems().get(1).startsWith("CONSUL_HTTP_ADDR is not set"));
        assertEquals(2, log.records().size());
    }

    @Test
    void theTokenIsNeverLogged() {
        values.put("CONSUL_HTTP_TOKEN", "very-secret-token");
        values.put("DOCKERPORT", "x");
        config();
        assertEquals(1, log.records().size());
        assertFalse(log.records().get(0).getMessage().contains("very-secret-token"), log.records().get(0).getMessage());
    }

    @Test
    void aSubnetPicksTheAddressOfTheInterfaceInIt() {
        values.put("HELLO_ADVERTISE_SUBNET", "10.42.0.0/24");
        ReplicaSettings.Registration s = withInterfaces("172.18.0.3", "10.42.0.6").registration().orElseThrow();
        assertEquals("10.42.0.6", s.address());
        assertEquals(8000, s.port(), "no DOCKERPORT: the port the server listens on");
        assertEquals("http://10.42.0.6:8000/health", s.checkUrl());
    }

    @Test
    void aSubnetThatMatchesNoInterfaceIsOneLineAndNoRegistration() {
        values.put("HELLO_ADVERTISE_SUBNET", "10.99.0.0/24");
        ReplicaSettings config = withInterfaces("172.18.0.3", "10.42.0.6");
        assertTrue(config.registration().isEmpty());
        assertEquals(List.of("hello.advertise.subnet='10.99.0.0/24' matches no address of this replica"
                + " (it has 172.18.0.3, 10.42.0.6)"), config.problems());
        assertEquals(1, log.records().size());
    }

    @Test
    void aSubnetAndAnAddressTogetherAreAConflict() {
        values.put("HELLO_ADVERTISE_SUBNET", "10.42.0.0/24");
        values.put("HELLO_ADVERTISE_ADDRESS", "10.42.0.6");
        ReplicaSettings config = withInterfaces("10.42.0.6");
        assertTrue(config.registration().isEmpty());
        assertTrue(config.problems().get(0).startsWith("hello.advertise.subnet='10.42.0.0/24' is set together with"),
                config.problems().toString());
    }

    @Test
    void theTokenCanComeFromAFileSuchAsADockerSecret(@TempDir Path dir) throws Exception {
        Path secret = Files.writeString(dir.resolve("replica-token"), "file-token\n");
        values.put("CONSUL_HTTP_TOKEN_FILE", secret.toString());
        ReplicaSettings config = config();
        assertEquals(Optional.of("file-token"), config.registration().orElseThrow().token());
        assertEquals("CONSUL_HTTP_TOKEN_FILE", config.registration().orElseThrow().tokenKey());
    }

    @Test
    void aMissingTokenFileIsOneLineNamingItAndNoRegistration(@TempDir Path dir) {
        values.put("CONSUL_HTTP_TOKEN_FILE", dir.resolve("absent").toString());
        ReplicaSettings config = config();
        assertTrue(config.registration().isEmpty());
        assertEquals(List.of("CONSUL_HTTP_TOKEN_FILE='" + dir.resolve("absent") + "' cannot be read (NoSuchFileException)"),
                config.problems());
        assertTrue(log.records().get(0).getMessage().endsWith("this replica will not register in Consul"));
    }

    @Test
    void consulsCaIsTrustedFromTheFileConsulCacertNamesAndAnythingElseIsOneLine(@TempDir Path dir) throws Exception {
        values.put("CONSUL_CACERT", Path.of("src/test/resources/test-ca.pem").toString());
        var ca = config().registration().orElseThrow().consulCa().orElseThrow().trust();
        assertEquals("CN=hello test CA", ca.getAcceptedIssuers()[0].getSubjectX500Principal().getName());
        values.put("CONSUL_CACERT", Files.writeString(dir.resolve("not-a-pem"), "token\n").toString());
        ReplicaSettings bad = config();
        assertTrue(bad.registration().isEmpty());
        assertEquals(List.of("CONSUL_CACERT='" + dir.resolve("not-a-pem") + "' cannot be read as PEM certificates (CertificateException)"),
                bad.problems());
        values.put("CONSUL_CACERT", Files.writeString(dir.resolve("empty"), "").toString());
        assertTrue(config().problems().get(0).endsWith("names a file without a PEM certificate"), config().problems().toString());
        values.put("CONSUL_CACERT", dir.resolve("absent").toString());
        assertTrue(config().problems().get(0).endsWith("cannot be read as PEM certificates (NoSuchFileException)"),
                config().problems().toString());
    }

    @Test
    void anEmptyTokenFileOrTwoTokenSettingsAreRefused(@TempDir Path dir) throws Exception {
        values.put("CONSUL_HTTP_TOKEN_FILE", Files.writeString(dir.resolve("empty"), " \n").toString());
        assertTrue(config().problems().get(0).endsWith("names an empty file"), config().problems().toString());
        values.put("CONSUL_HTTP_TOKEN", "also-a-token");
        ReplicaSettings both = config();
        assertTrue(both.registration().isEmpty());
        assertTrue(both.problems().get(0).contains("is set together with CONSUL_HTTP_TOKEN"), both.problems().toString());
        assertFalse(log.records().stream().anyMatch(r -> r.getMessage().contains("also-a-token")), "token logged");
    }

    private ReplicaSettings withInterfaces(String... addresses) {
        List<InetAddress> list = java.util.Arrays.stream(addresses).map(InetAddresses::forString).toList();
        return ReplicaConfig.read(TestConfigs.of(values), () -> "10.1.2.3", () -> list);
    }

    @Test
    void registrationCanBeSwitchedOff() {
        values.put("hello.registration.enabled", "false");
        values.put("DOCKERPORT", "garbage is not even looked at");
        ReplicaSettings config = config();
        assertTrue(config.registration().isEmpty());
        assertTrue(config.problems().isEmpty());
        assertTrue(log.records().isEmpty());
    }

    @Test
    void ipv6AddressesAreBracketedInTheCheckUrl() {
        values.put("DOCKERPORT", "8001");
        values.put("HELLO_ADVERTISE_ADDRESS", "fd00::5");
        assertEquals("http://[fd00::5]:8001/health", config().registration().orElseThrow().checkUrl());
    }

    @Test
    void theShippedDefaultsAreTheSeedsAndNeedNoComplaint() {
        ReplicaSettings config = config();
        assertEquals(8000, config.httpPort());
        assertEquals(200_000, config.payloadSize());
        assertEquals(200, config.warmUpRequests());
        assertEquals(Duration.ofSeconds(15), config.warmUpBound());
        assertEquals(Duration.ofSeconds(1), config.drainQuiet());
        assertEquals(Duration.ofSeconds(6), config.drainMax());
        assertTrue(config.problems().isEmpty() && log.records().isEmpty(), config.problems().toString());
    }

    @ParameterizedTest
    @CsvSource({"0, 0", "1024, 1024", "10000000, 10000000", "10000001, 200000", "-1, 200000", "lots, 200000"})
    void payloadSizeIsBoundedAndABadValueIsNamed(String configured, int used) {
        values.put("hello.payload.size", configured);
        ReplicaSettings config = config();
        assertEquals(used, config.payloadSize());
        if (configured.equals(String.valueOf(used))) {
            assertTrue(log.records().isEmpty(), log.records().toString());
            assertTrue(config.registration().isPresent());
        } else {
            assertEquals(1, log.records().size());
            assertEquals("Bad configuration: hello.payload.size='" + configured + "' is not a number from 0 to 10000000;"
                    + " this replica will not register in Consul", log.records().get(0).getMessage());
            assertTrue(config.registration().isEmpty(), "a bad value of any key keeps the replica out of the balancer");
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "HELLO_WARMUP_REQUESTS | -1    | hello.warmup.requests='-1' is not a whole number, 0 or more",
            "HELLO_WARMUP_REQUESTS | many  | hello.warmup.requests='many' is not a whole number, 0 or more",
            "HELLO_WARMUP_SECONDS  | 1.5   | hello.warmup.seconds='1.5' is not a whole number, 0 or more",
            "HELLO_DRAIN_QUIET     | 0s    | hello.drain.quiet='0s' is not a duration such as 500ms, 10s, 1m or 1h",
            "HELLO_DRAIN_MAX       | PT6S  | hello.drain.max='PT6S' is not a duration such as 500ms, 10s, 1m or 1h",
            "http.port             | 0     | http.port='0' is not a port number (1-65535)",
    })
    void everyKeyFollowsTheSameRuleOnABadValue(String variable, String value, String problem) {
        values.put(variable, value);
        ReplicaSettings config = config();
        assertEquals(List.of(problem), config.problems());
        assertTrue(config.registration().isEmpty(), "must not register with " + variable + "=" + value);
        assertEquals(List.of("Bad configuration: " + problem + "; this replica will not register in Consul"),
                log.records().stream().map(r -> r.getMessage()).toList());
        assertEquals(200, config.warmUpRequests(), "a bad value gives way to the shipped default");
        assertEquals(Duration.ofSeconds(15), config.warmUpBound());
        assertEquals(Duration.ofSeconds(1), config.drainQuiet());
        assertEquals(Duration.ofSeconds(6), config.drainMax());
    }

    @Test
    void warmUpCanBeSwitchedOffAndDrainTimesTakeConsulsUnits() {
        values.put("HELLO_WARMUP_REQUESTS", "0");
        values.put("HELLO_DRAIN_QUIET", "500ms");
        values.put("HELLO_DRAIN_MAX", "1m");
        ReplicaSettings config = config();
        assertEquals(0, config.warmUpRequests());
        assertEquals(Duration.ofMillis(500), config.drainQuiet());
        assertEquals(Duration.ofMinutes(1), config.drainMax());
        assertTrue(config.problems().isEmpty(), config.problems().toString());
    }
}
