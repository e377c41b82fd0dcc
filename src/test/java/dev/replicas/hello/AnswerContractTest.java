package dev.replicas.hello;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import javax.net.ssl.SSLSession;

import dev.replicas.config.ReplicaConfig;
import dev.replicas.config.TestConfigs;
import org.junit.jupiter.api.Test;

/** The answer contract's checks, on answers the service itself renders and on broken ones. */
class AnswerContractTest {

    private static final UUID REPLICA = UUID.fromString("40fef4db-0b4c-4d63-9b0e-1f1c2f3a4b5c");
    private final AnswerContract contract = new AnswerContract(1000);

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static String letters(int n) {
        return "ab".repeat(n / 2) + (n % 2 == 1 ? "c" : "");
    }

    @Test
    void acceptsWhatTheServiceRenders() {
        byte[] answer = Bodies.of(new HelloPayload(REPLICA, 1000));
        assertEquals(answer.length, contract.length());
        assertEquals(REPLICA.toString(), contract.uuidOf(answer));
        assertEquals(AnswerContract.OK, contract.violation(answer));
    }

    @Test
    void theCheapCheckRefusesWrongLengthsAndFrames() {
        assertNull(contract.uuidOf(Bodies.of(new HelloPayload(REPLICA, 999))), "one letter short");
        assertNull(contract.uuidOf(Bodies.of(new HelloPayload(REPLICA, 1001))), "one letter more");
        assertNull(contract.uuidOf(null));
        byte[] status500 = Bodies.of(new HelloPayload(REPLICA, 1000));
        status500[10] = '5';
        assertNull(contract.uuidOf(status500), "Status 500 in the frame");
        byte[] notAUuid = Bodies.of(new HelloPayload(REPLICA, 1000));
        notAUuid[AnswerContract.PREFIX.length() + 3] = 'X';
        assertNull(contract.uuidOf(notAUuid));
        byte[] noClose = Bodies.of(new HelloPayload(REPLICA, 1000));
        noClose[noClose.length - 1] = ' ';
        assertNull(contract.uuidOf(noClose));
    }

    @Test
    void theFullCheckFindsWhatTheCheapOneCannotSee() {
        String data = letters(999) + "1";
        byte[] digit = bytes("{\"Status\":200,\"Application\":\"hello\",\"UUID\":\"" + REPLICA + "\",\"Data\":\"" + data + "\"}");
        assertEquals(REPLICA.toString(), contract.uuidOf(digit), "framed right, so the cheap check passes");
        assertTrue(contract.violation(digit).startsWith("Data has '1' at 999"), contract.violation(digit));

        byte[] extraKey = bytes("{\"Status\":200,\"Application\":\"hello\",\"UUID\":\"" + REPLICA + "\",\"Data\":\""
                + letters(1000) + "\",\"X\":1}");
        assertTrue(contract.violation(extraKey).startsWith("keys [Status, Application, UUID, Data, X]"),
                contract.violation(extraKey));

        byte[] reordered = bytes("{\"Application\":\"hello\",\"Status\":200,\"UUID\":\"" + REPLICA + "\",\"Data\":\""
                + letters(1000) + "\"}");
        assertEquals("keys [Application, Status, UUID, Data], expected [Status, Application, UUID, Data]",
                contract.violation(reordered));

        byte[] wrongApp = bytes("{\"Status\":200,\"Application\":\"other\",\"UUID\":\"" + REPLICA + "\",\"Data\":\"" + letters(1000) + "\"}");
        assertTrue(contract.violation(wrongApp).startsWith("Application"));

        byte[] shortData = bytes("{\"Status\":200,\"Application\":\"hello\",\"UUID\":\"" + REPLICA + "\",\"Data\":\"" + letters(10) + "\"}");
        assertEquals("Data has 10 characters, expected 1000", contract.violation(shortData));

        byte[] stringStatus = bytes("{\"Status\":\"200\",\"Application\":\"hello\",\"UUID\":\"" + REPLICA + "\",\"Data\":\"" + letters(1000) + "\"}");
        assertTrue(contract.violation(stringStatus).startsWith("Status"));

        assertTrue(contract.violation(bytes("<html>")).startsWith("not JSON"));
        assertEquals("not a JSON object", contract.violation(bytes("[1]")));
    }

    /** An HTTP answer as the suites receive it, with the headers given. */
    private record Answer(int statusCode, Map<String, List<String>> headerMap, byte[] body) implements HttpResponse<byte[]> {

        @Override
        public HttpHeaders headers() {
            return HttpHeaders.of(headerMap, (name, value) -> true);
        }

        @Override
        public HttpRequest request() {
            return HttpRequest.newBuilder(uri()).build();
        }

        @Override
        public Optional<HttpResponse<byte[]>> previousResponse() {
            return Optional.empty();
        }

        @Override
        public Optional<SSLSession> sslSession() {
            return Optional.empty();
        }

        @Override
        public URI uri() {
            return URI.create("http://localhost/hello/api/v1");
        }

        @Override
        public HttpClient.Version version() {
            return HttpClient.Version.HTTP_1_1;
        }
    }

    private static Answer answer(int status, String type, byte[] body, String length) {
        return new Answer(status, Map.of("Content-Type", List.of(type), "Content-Length", List.of(length)), body);
    }

    @Test
    void anHttpAnswerKeepsTheContractOnlyWithStatusTypeLengthAndBodyRight() {
        byte[] good = Bodies.of(new HelloPayload(REPLICA, 1000));
        String length = String.valueOf(good.length);
        assertEquals(AnswerContract.OK, contract.violationOf(answer(200, "application/json", good, length)));
        assertEquals(REPLICA.toString(), contract.assertKept(answer(200, "application/json", good, length)));

        assertEquals("HTTP 502", contract.violationOf(answer(502, "application/json", good, length)));
        assertEquals("Content-Type text/plain, expected application/json",
                contract.violationOf(answer(200, "text/plain", good, length)));
        assertEquals("Content-Length none for a body of " + good.length + " bytes", contract.violationOf(
                new Answer(200, Map.of("Content-Type", List.of("application/json")), good)));
        assertEquals("Content-Length 5 for a body of " + good.length + " bytes",
                contract.violationOf(answer(200, "application/json", good, "5")));

        byte[] short1 = Bodies.of(new HelloPayload(REPLICA, 999));
        assertEquals("Data has 999 characters, expected 1000",
                contract.violationOf(answer(200, "application/json", short1, String.valueOf(short1.length))));
        // Valid JSON with the right content, but not as the service writes it: the frame catches it.
        String spaced = new String(good, StandardCharsets.US_ASCII).replace("\"Status\":200", "\"Status\": 200");
        byte[] loose = bytes(spaced);
        assertEquals("not in the seed's frame of " + contract.length() + " bytes",
                contract.violationOf(answer(200, "application/json", loose, String.valueOf(loose.length))));

        // A digit in Data keeps the frame: only the parser, which the cheap check skips, sees it.
        byte[] digit = bytes("{\"Status\":200,\"Application\":\"hello\",\"UUID\":\"" + REPLICA + "\",\"Data\":\""
                + letters(999) + "1\"}");
        Answer framedDigit = answer(200, "application/json", digit, String.valueOf(digit.length));
        assertEquals(AnswerContract.OK, contract.framedViolationOf(framedDigit));
        assertTrue(contract.violationOf(framedDigit).startsWith("Data has '1' at 999"), contract.violationOf(framedDigit));
        assertEquals("HTTP 502", contract.framedViolationOf(answer(502, "application/json", good, length)));
        assertEquals("Data has 999 characters, expected 1000",
                contract.framedViolationOf(answer(200, "application/json", short1, String.valueOf(short1.length))));

        AssertionError broken = assertThrows(AssertionError.class,
                () -> contract.assertKept(answer(404, "text/plain", bytes("no route"), "8")));
        assertEquals("GET http://localhost/hello/api/v1 broke the answer contract: HTTP 404", broken.getMessage());
    }

    @Test
    void theExpectedSizeIsConfigurationASystemPropertyBeforeTheShippedDefault() {
        Map<String, String> shipped = Map.of("file:/x/META-INF/microprofile-config.properties", "1234");
        assertEquals(1234, AnswerContract.configured(null, shipped).payload());
        assertEquals(17, AnswerContract.configured("17", shipped).payload());
        assertEquals(1234 + 92, AnswerContract.configured(null, shipped).length(), "the seed's frame is 92 bytes");

        IllegalStateException bad = assertThrows(IllegalStateException.class, () -> AnswerContract.configured("lots", shipped));
        assertEquals("Bad configuration: hello.payload.size='lots' (system property hello.payload.size) is not a number"
                + " from 0 to 10000000", bad.getMessage());
        assertThrows(IllegalStateException.class, () -> AnswerContract.configured("10000001", shipped));
        assertThrows(IllegalStateException.class, () -> AnswerContract.configured("-1", shipped));
        IllegalStateException none = assertThrows(IllegalStateException.class, () -> AnswerContract.configured(null, Map.of()));
        assertTrue(none.getMessage().startsWith("Bad configuration: hello.payload.size must be defined by exactly one"),
                none.getMessage());
    }

    @Test
    void theShippedDefaultIsFoundOnceOnTheClassPathAndIsWhatTheServiceReads() {
        Map<String, String> shipped = AnswerContract.shippedDefaults(getClass().getClassLoader());
        assertEquals(1, shipped.size(), shipped.toString());
        int letters = ReplicaConfig.read(TestConfigs.of(Map.of()), () -> "10.1.2.3", List::of).payloadSize();
        assertEquals(letters, AnswerContract.configured(null, shipped).payload(), shipped.toString());
    }
}
