package dev.replicas.hello;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

import org.junit.jupiter.api.Test;

/** The load test's checks, on answers the service itself renders and on broken ones. */
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
        byte[] answer = new HelloPayload(REPLICA, 1000).render();
        assertEquals(answer.length, contract.length());
        assertEquals(REPLICA.toString(), contract.uuidOf(answer));
        assertEquals(AnswerContract.OK, contract.violation(answer));
    }

    @Test
    void theCheapCheckRefusesWrongLengthsAndFrames() {
        assertNull(contract.uuidOf(new HelloPayload(REPLICA, 999).render()), "one letter short");
        assertNull(contract.uuidOf(new HelloPayload(REPLICA, 1001).render()), "one letter more");
        assertNull(contract.uuidOf(null));
        byte[] status500 = new HelloPayload(REPLICA, 1000).render();
        status500[10] = '5';
        assertNull(contract.uuidOf(status500), "Status 500 in the frame");
        byte[] notAUuid = new HelloPayload(REPLICA, 1000).render();
        notAUuid[AnswerContract.PREFIX.length() + 3] = 'X';
        assertNull(contract.uuidOf(notAUuid));
        byte[] noClose = new HelloPayload(REPLICA, 1000).render();
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
        assertTrue(contract.violation(extraKey).startsWith("keys [Application, Data, Status, UUID, X]"));

        byte[] wrongApp = bytes("{\"Status\":200,\"Application\":\"other\",\"UUID\":\"" + REPLICA + "\",\"Data\":\"" + letters(1000) + "\"}");
        assertTrue(contract.violation(wrongApp).startsWith("Application"));

        byte[] shortData = bytes("{\"Status\":200,\"Application\":\"hello\",\"UUID\":\"" + REPLICA + "\",\"Data\":\"" + letters(10) + "\"}");
        assertEquals("Data has 10 characters, expected 1000", contract.violation(shortData));

        byte[] stringStatus = bytes("{\"Status\":\"200\",\"Application\":\"hello\",\"UUID\":\"" + REPLICA + "\",\"Data\":\"" + letters(1000) + "\"}");
        assertTrue(contract.violation(stringStatus).startsWith("Status"));

        assertTrue(contract.violation(bytes("<html>")).startsWith("not JSON"));
        assertEquals("not a JSON object", contract.violation(bytes("[1]")));
    }
}
