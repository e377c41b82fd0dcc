package dev.replicas.hello;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The body of {@code GET /hello/api/v1}, in the seed's shape:
 * {@code {"Status":200,"Application":"hello","UUID":"...","Data":"<letters>"}}.
 *
 * <p>The JSON is written by hand into one byte array: the shape is fixed, and neither the UUID
 * nor letters need escaping, so a JSON binding would only add a copy of 200 kB per request.
 */
public final class HelloPayload {

    private static final byte[] LETTERS =
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SUFFIX = "\"}".getBytes(StandardCharsets.US_ASCII);

    private HelloPayload() {
    }

    /**
     * Renders a response body with fresh random data.
     *
     * @param uuid     the replica's UUID
     * @param dataSize how many letters go into {@code Data}
     * @return the JSON document as US-ASCII bytes
     */
    public static byte[] render(UUID uuid, int dataSize) {
        byte[] prefix = ("{\"Status\":200,\"Application\":\"hello\",\"UUID\":\"" + uuid + "\",\"Data\":\"")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] body = new byte[prefix.length + dataSize + SUFFIX.length];
        System.arraycopy(prefix, 0, body, 0, prefix.length);
        fillWithLetters(body, prefix.length, dataSize);
        System.arraycopy(SUFFIX, 0, body, prefix.length + dataSize, SUFFIX.length);
        return body;
    }

    /**
     * Fills {@code length} bytes from {@code offset} with letters [a-zA-Z], uniformly: each random
     * long gives ten 6-bit draws, and draws of 52 or more are dropped rather than folded.
     */
    static void fillWithLetters(byte[] target, int offset, int length) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int i = offset;
        int end = offset + length;
        while (i < end) {
            long bits = random.nextLong();
            for (int draw = 0; draw < 10 && i < end; draw++, bits >>>= 6) {
                int index = (int) (bits & 0x3F);
                if (index < LETTERS.length) {
                    target[i++] = LETTERS[index];
                }
            }
        }
    }
}
