package dev.replicas.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.orbitz.consul.util.Jackson;
import org.junit.jupiter.api.Test;

/** What consul-client sends to the agent for our settings: the seed's registration, plus clean-up. */
class RegistrationSettingsTest {

    private static final UUID ID = UUID.fromString("40fef4db-91ee-4341-bef4-7753bdd8c3d8");

    @Test
    void registrationAsTheAgentReceivesIt() throws Exception {
        RegistrationSettings settings = new RegistrationSettings(ConsulAddress.parse("consul:8500"), Optional.empty(),
                "hello-server", "host.docker.internal", 8004, List.of("urlprefix-/hello/api/v1"), ConsulDuration.parse("10s"),
                ConsulDuration.parse("30s"), ConsulDuration.parse("1m"), ConsulDuration.parse("30s"),
                ConsulDuration.parse("30s"));

        JsonNode json = Jackson.MAPPER.valueToTree(settings.toRegistration(ID));

        // "Id", not "ID": the agent decodes JSON keys without regard to case.
        assertEquals("hello-" + ID, json.get("Id").asText());
        assertEquals("hello-server", json.get("Name").asText());
        assertEquals("host.docker.internal", json.get("Address").asText());
        assertEquals(8004, json.get("Port").asInt());
        assertEquals("urlprefix-/hello/api/v1", json.get("Tags").get(0).asText());
        assertEquals(ID.toString(), json.get("Meta").get("uuid").asText());
        JsonNode check = json.get("Check");
        assertEquals("http://host.docker.internal:8004/health", check.get("HTTP").asText());
        assertEquals("10s", check.get("Interval").asText());
        assertEquals("30s", check.get("Timeout").asText());
        assertEquals("1m", check.get("DeregisterCriticalServiceAfter").asText());
    }

    @Test
    void ipv6AddressesAreBracketedInTheCheckUrl() {
        RegistrationSettings settings = new RegistrationSettings(ConsulAddress.parse("consul"), Optional.empty(),
                "hello-server", "fd00::5", 8001, List.of(), ConsulDuration.parse("10s"), ConsulDuration.parse("30s"),
                ConsulDuration.parse("1m"), ConsulDuration.parse("30s"), ConsulDuration.parse("30s"));
        assertEquals("http://[fd00::5]:8001/health", settings.checkUrl());
    }
}
