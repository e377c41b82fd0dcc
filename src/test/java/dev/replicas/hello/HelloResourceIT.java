package dev.replicas.hello;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** GET /hello/api/v1 in a real Liberty server. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class HelloResourceIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive deployment() {
        return HelloDeployment.war();
    }

    private JsonNode hello() throws Exception {
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(URI.create(base + "api/v1")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        return JSON.readTree(response.body());
    }

    @Test
    void answersWithTheSeedsKeysOnly() throws Exception {
        JsonNode body = hello();
        List<String> keys = new java.util.ArrayList<>();
        body.fieldNames().forEachRemaining(keys::add);
        assertEquals(List.of("Status", "Application", "UUID", "Data"), keys);
        assertEquals(200, body.get("Status").asInt());
        assertEquals("hello", body.get("Application").asText());
        UUID.fromString(body.get("UUID").asText());
    }

    @Test
    void dataIsOfTheConfiguredSizeAndOnlyLetters() throws Exception {
        String data = hello().get("Data").asText();
        assertEquals(200_000, data.length());
        assertTrue(data.chars().allMatch(c -> c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'));
    }

    @Test
    void announcesItsLengthInsteadOfChunking() throws Exception {
        HttpResponse<byte[]> response = HTTP.send(HttpRequest.newBuilder(URI.create(base + "api/v1")).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, response.statusCode());
        assertEquals(String.valueOf(response.body().length), response.headers().firstValue("Content-Length").orElse("none"));
        assertTrue(response.headers().firstValue("Transfer-Encoding").isEmpty(), response.headers().map().toString());
    }

    @Test
    void uuidIsStableAndDataIsFresh() throws Exception {
        JsonNode first = hello();
        JsonNode second = hello();
        assertEquals(first.get("UUID"), second.get("UUID"));
        assertNotEquals(first.get("Data"), second.get("Data"));
    }
}
