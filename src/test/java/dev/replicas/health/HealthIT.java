package dev.replicas.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.replicas.hello.HelloDeployment;
import dev.replicas.testing.Poll;
import org.junit.jupiter.api.Test;

/**
 * MicroProfile Health in a real Liberty server whose Consul address has nobody listening
 * (src/test/liberty/server.env): the replica still starts, serves and is ready, and reports that
 * it keeps retrying the registration of its own HTTP port (no DOCKERPORT outside a container).
 */
class HealthIT extends HelloDeployment {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The data of /health/ready's check; a body that is not JSON fails (a wait would take it for "not yet"). */
    private static JsonNode data(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body()).get("checks").get(0).get("data");
        } catch (JsonProcessingException e) {
            throw new AssertionError("not JSON: " + response.body(), e);
        }
    }

    @Test
    void readyOnlyOnceWarmedUpOnItsOwnEndpoint() throws Exception {
        HttpResponse<String> response = Poll.until("ready", Duration.ofSeconds(30), () -> {
            HttpResponse<String> answer = get("/health/ready");
            if (answer.statusCode() != 200) {
                assertEquals(503, answer.statusCode(), answer.body());
                assertEquals("running", data(answer).get("warm-up").asText(), "DOWN only while warming up: " + data(answer));
            }
            return answer;
        }, answer -> answer.statusCode() == 200);
        String warmUp = data(response).get("warm-up").asText();
        Matcher settled = Pattern.compile("(\\d+) requests to /hello/api/v1 in \\d+ ms, until compiling settled"
                + " \\(code cache \\d+ KiB\\); heap after a full collection \\d+ MiB").matcher(warmUp);
        assertTrue(settled.matches(), warmUp);
        assertTrue(Integer.parseInt(settled.group(1)) >= 200, "at least hello.warmup.requests: " + warmUp);
    }

    @Test
    void allThreeEndpointsAreUp() throws Exception {
        readyOnlyOnceWarmedUpOnItsOwnEndpoint();
        for (String path : new String[] {"/health", "/health/live", "/health/ready"}) {
            HttpResponse<String> response = get(path);
            assertEquals(200, response.statusCode(), path + ": " + response.body());
            assertEquals("UP", JSON.readTree(response.body()).get("status").asText(), path);
        }
    }

    @Test
    void readyWhileConsulIsAbsentAndRetryingWithTheServersOwnPort() throws Exception {
        readyOnlyOnceWarmedUpOnItsOwnEndpoint();
        JsonNode data = Poll.until("the registration retrying", Duration.ofSeconds(20), () -> {
            HttpResponse<String> response = get("/health/ready");
            assertEquals(200, response.statusCode(), response.body());
            return data(response);
        }, d -> "retrying".equals(d.get("consul").asText()));
        String registration = data.get("registration").asText();
        assertTrue(registration.contains(":" + base.getPort() + " in Consul at http://127.0.0.1:1"), registration);
    }
}
