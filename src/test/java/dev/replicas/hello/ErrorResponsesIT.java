package dev.replicas.hello;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Bad requests get the right status and no stack trace. */
class ErrorResponsesIT extends HelloDeployment {

    @ParameterizedTest
    @CsvSource({
            "GET,    /hello/api/v2,        404",
            "GET,    /hello/api/v1/extra,  404",
            "GET,    /nothing/here,        404",
            "POST,   /hello/api/v1,        405",
            "DELETE, /hello/api/v1,        405",
            "GET,    /hello/nothing,       404",
            "GET,    /hello/metrics/nope,  404",
            "POST,   /hello/metrics,       405",
    })
    void answersWithoutStackTraces(String method, String path, int status) throws Exception {
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(uri(path)).method(method, HttpRequest.BodyPublishers.ofString("{}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(status, response.statusCode(), method + " " + path + ": " + response.body());
        assertFalse(response.body().contains("Exception"), response.body());
        assertFalse(response.body().matches("(?s).*\\bat [a-z]+\\.[a-z].*"), response.body());
        if (path.equals("/hello/nothing") || path.equals("/hello/metrics/nope")) {
            assertEquals("Not Found\n", response.body(), "the application's own 404 for a path nothing here serves");
        }
    }
}
