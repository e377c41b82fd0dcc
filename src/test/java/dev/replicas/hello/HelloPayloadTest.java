package dev.replicas.hello;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

import org.junit.jupiter.api.Test;

class HelloPayloadTest {

    private static final UUID ID = UUID.fromString("40fef4db-91ee-4341-bef4-7753bdd8c3d8");

    @Test
    void rendersTheSeedShapeAroundTheData() {
        String body = new String(HelloPayload.render(ID, 5), StandardCharsets.US_ASCII);
        String prefix = "{\"Status\":200,\"Application\":\"hello\",\"UUID\":\"" + ID + "\",\"Data\":\"";
        assertTrue(body.startsWith(prefix), body);
        assertTrue(body.endsWith("\"}"), body);
        assertEquals(prefix.length() + 5 + 2, body.length());
    }

    @Test
    void dataHasTheRequestedSizeAndOnlyLetters() {
        byte[] data = new byte[200_000];
        HelloPayload.fillWithLetters(data, 0, data.length);
        for (byte b : data) {
            assertTrue(b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z', "not a letter: " + b);
        }
    }

    @Test
    void everyLetterOccursAndNoneDominates() {
        byte[] data = new byte[520_000];
        HelloPayload.fillWithLetters(data, 0, data.length);
        int[] counts = new int[128];
        for (byte b : data) {
            counts[b]++;
        }
        String letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
        for (char c : letters.toCharArray()) {
            // 10 000 expected each; a uniform draw stays far inside 9 000..11 000.
            assertTrue(counts[c] > 9_000 && counts[c] < 11_000, c + " occurred " + counts[c] + " times");
        }
    }

    @Test
    void fillsOnlyTheGivenRange() {
        byte[] data = new byte[10];
        HelloPayload.fillWithLetters(data, 3, 4);
        assertArrayEquals(new byte[3], java.util.Arrays.copyOfRange(data, 0, 3));
        assertArrayEquals(new byte[3], java.util.Arrays.copyOfRange(data, 7, 10));
        assertTrue(Character.isLetter(data[3]) && Character.isLetter(data[6]));
    }

    @Test
    void eachRenderingHasFreshData() {
        assertNotEquals(new String(HelloPayload.render(ID, 64), StandardCharsets.US_ASCII),
                new String(HelloPayload.render(ID, 64), StandardCharsets.US_ASCII));
    }

    @Test
    void zeroLettersIsStillValidJsonShape() {
        assertEquals("{\"Status\":200,\"Application\":\"hello\",\"UUID\":\"" + ID + "\",\"Data\":\"\"}",
                new String(HelloPayload.render(ID, 0), StandardCharsets.US_ASCII));
    }
}
