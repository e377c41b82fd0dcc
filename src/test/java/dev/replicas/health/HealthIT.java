package dev.replicas.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.replicas.hello.HelloDeployment;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * MicroProfile Health in a real Liberty server whose Consul address has nobody listening
 * (src/test/liberty/server.env): the replica still starts, serves and is ready, and reports that
 * it keeps retrying the registration of its own HTTP port (no DOCKERPORT outside a container).
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class HealthIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return HelloDeployment.war();
    }

    private HttpResponse<String> get(String path) throws Exception {
        URI root = URI.create(base.toString()).resolve("/");
        return HTTP.send(HttpRequest.newBuilder(root.resolve(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void readyOnlyOnceWarmedUpOnItsOwnEndpoint() throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        HttpResponse<String> response = get("/health/ready");
        while (response.statusCode() != 200) {
            assertEquals(503, response.statusCode(), response.body());
            JsonNode data = JSON.readTree(response.body()).get("checks").get(0).get("data");
            assertEquals("running", data.get("warm-up").asText(), "DOWN only while warming up: " + data);
            if (System.nanoTime() > deadline) {
                fail("not ready within 30 s: " + response.body());
            }
            Thread.sleep(100);
            response = get("/health/ready");
        }
        String warmUp = JSON.readTree(response.body()).get("checks").get(0).get("data").get("warm-up").asText();
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
        long deadline = System.nanoTime() + 20_000_000_000L;
        JsonNode data;
        do {
            HttpResponse<String> response = get("/health/ready");
            assertEquals(200, response.statusCode(), response.body());
            data = JSON.readTree(response.body()).get("checks").get(0).get("data");
            if (System.nanoTime() > deadline) {
                fail("registration never reached the retrying state: " + data);
            }
        } while (!"retrying".equals(data.get("consul").asText()));
        String registration = data.get("registration").asText();
        assertTrue(registration.contains(":" + base.getPort() + " in Consul at http://127.0.0.1:1"), registration);
    }
}
