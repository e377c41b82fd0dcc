package dev.replicas.hello;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

/** GET /hello/api/v1 in a real Liberty server, checked against the suites' one {@link AnswerContract}. */
class HelloResourceIT extends HelloDeployment {

    /** The server runs with the shipped defaults (src/test/liberty/server.env sets no payload size). */
    private static final AnswerContract CONTRACT = AnswerContract.configured();

    private HttpResponse<byte[]> hello() throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri("api/v1")).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    /**
     * Status 200, a JSON media type, the seed's keys only and in its order, Status 200, Application
     * "hello", a UUID, and Data of the configured number of letters a-z, A-Z only.
     */
    @Test
    void answersWithinTheContract() throws Exception {
        HttpResponse<byte[]> response = hello();
        assertEquals(AnswerContract.OK, CONTRACT.violationOf(response));
    }

    @Test
    void announcesItsLengthInsteadOfChunking() throws Exception {
        HttpResponse<byte[]> response = hello();
        assertEquals(200, response.statusCode());
        assertEquals(String.valueOf(response.body().length), response.headers().firstValue("Content-Length").orElse("none"));
        assertTrue(response.headers().firstValue("Transfer-Encoding").isEmpty(), response.headers().map().toString());
    }

    @Test
    void uuidIsStableAndDataIsFresh() throws Exception {
        HttpResponse<byte[]> first = hello();
        HttpResponse<byte[]> second = hello();
        assertEquals(CONTRACT.assertKept(first), CONTRACT.assertKept(second));
        // Same UUID, same frame: only Data can make the two bodies differ.
        assertFalse(Arrays.equals(first.body(), second.body()), "the same Data twice");
    }

    /** HEAD: the headers of the answer, its body neither sent nor generated (no payload is drawn for it). */
    @Test
    void headAnnouncesTheLengthWithoutABody() throws Exception {
        HttpResponse<byte[]> response = HTTP.send(HttpRequest.newBuilder(uri("api/v1"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, response.statusCode());
        assertEquals(String.valueOf(CONTRACT.length()), response.headers().firstValue("Content-Length").orElse("none"));
        assertEquals(0, response.body().length);
    }
}
