package dev.replicas.hello;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.Test;

class HelloPayloadTest {

    /**
     * The seed of the draws that differ from run to run, printed so that a failure can be re-run
     * with {@code mvn test -Dtest=HelloPayloadTest -Dhello.test.seed=<seed>}.
     */
    private static final long SEED = Long.getLong("hello.test.seed", ThreadLocalRandom.current().nextLong());

    static {
        System.out.println("[HelloPayloadTest] seed " + SEED + " (re-run with -Dhello.test.seed=" + SEED + ")");
    }

    private static final UUID ID = UUID.fromString("40fef4db-91ee-4341-bef4-7753bdd8c3d8");

    @Test
    void rendersTheSeedShapeAroundTheData() {
        String body = new String(Bodies.of(new HelloPayload(ID, 5)), StandardCharsets.US_ASCII);
        String prefix = "{\"Status\":200,\"Application\":\"hello\",\"UUID\":\"" + ID + "\",\"Data\":\"";
        assertTrue(body.startsWith(prefix), body);
        assertTrue(body.endsWith("\"}"), body);
        assertEquals(prefix.length() + 5 + 2, body.length());
    }

    @Test
    void dataHasTheRequestedSizeAndOnlyLetters() {
        byte[] data = new byte[200_000];
        new HelloPayload.Letters(42).fill(data, 0, data.length);
        for (byte b : data) {
            assertTrue(b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z', "not a letter: " + b);
        }
    }

    @Test
    void everyLetterOccursAndNoneDominates() {
        byte[] data = new byte[520_000];
        new HelloPayload.Letters(42).fill(data, 0, data.length);
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
        new HelloPayload.Letters(42).fill(data, 3, 4);
        assertArrayEquals(new byte[3], java.util.Arrays.copyOfRange(data, 0, 3));
        assertArrayEquals(new byte[3], java.util.Arrays.copyOfRange(data, 7, 10));
        assertTrue(Character.isLetter(data[3]) && Character.isLetter(data[6]));
    }

    @Test
    void eachRenderingHasFreshData() {
        assertNotEquals(new String(Bodies.of(new HelloPayload(ID, 64)), StandardCharsets.US_ASCII),
                new String(Bodies.of(new HelloPayload(ID, 64)), StandardCharsets.US_ASCII));
    }

    @Test
    void aBodyLongerThanAChunkIsWrittenWholeAndAsLongAsAnnounced() {
        for (int size : new int[] {HelloPayload.CHUNK - 60, HelloPayload.CHUNK, 200_000, 200_001}) {
            HelloPayload payload = new HelloPayload(ID, size);
            byte[] body = Bodies.of(payload);
            assertEquals(payload.length(), body.length, "size " + size);
            String text = new String(body, StandardCharsets.US_ASCII);
            assertTrue(text.endsWith("\"}"), "size " + size);
            String data = text.substring(text.indexOf("\"Data\":\"") + 8, text.length() - 2);
            assertEquals(size, data.length());
            assertTrue(data.chars().allMatch(c -> c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'), "size " + size);
        }
    }

    @Test
    void oddLengthsEndWithALetterToo() {
        byte[] data = new byte[7];
        new HelloPayload.Letters(7).fill(data, 0, 7);
        for (byte b : data) {
            assertTrue(b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z', "not a letter: " + b);
        }
    }

    @Test
    void pairsOfNeighboursAreUniformToo() {
        // A generator that favoured some pairs would skew this: 2,704 pairs, 200 expected each.
        byte[] data = new byte[2 * 2704 * 200];
        new HelloPayload.Letters(SEED).fill(data, 0, data.length);
        Map<Integer, Integer> pairs = new HashMap<>();
        for (int i = 0; i < data.length; i += 2) {
            pairs.merge(data[i] * 256 + data[i + 1], 1, Integer::sum);
        }
        assertEquals(2704, pairs.size(), "seed " + SEED);
        double chi2 = 0;
        for (int count : pairs.values()) {
            chi2 += (count - 200.0) * (count - 200.0) / 200.0;
        }
        // 2,703 degrees of freedom: mean 2,703, sd 73.5; far beyond 3,100 means not uniform.
        assertTrue(chi2 < 3100, "chi-square " + chi2 + " with seed " + SEED);
    }

    @Test
    void zeroLettersIsStillValidJsonShape() {
        assertEquals("{\"Status\":200,\"Application\":\"hello\",\"UUID\":\"" + ID + "\",\"Data\":\"\"}",
                new String(Bodies.of(new HelloPayload(ID, 0)), StandardCharsets.US_ASCII));
    }
}
