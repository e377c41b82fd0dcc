package dev.replicas.hello;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/** The seed's JSON answer, written by hand in chunks: a JSON binding or a 200 kB array would only add garbage. */
public final class HelloPayload {

    static final int CHUNK = 16 * 1024;

    private static final byte[] LETTERS =
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".getBytes(StandardCharsets.US_ASCII);
    /** All 52 x 52 pairs of letters, two bytes each: one random draw gives two letters. */
    private static final byte[] PAIRS = new byte[2 * 52 * 52];
    private static final byte[] SUFFIX = "\"}".getBytes(StandardCharsets.US_ASCII);

    static {
        for (int k = 0; k < 52 * 52; k++) {
            PAIRS[2 * k] = LETTERS[k / 52];
            PAIRS[2 * k + 1] = LETTERS[k % 52];
        }
    }

    private final byte[] prefix;
    private final int dataSize;

    /** A body for the replica {@code uuid} with {@code dataSize} letters of {@code Data}. */
    public HelloPayload(UUID uuid, int dataSize) {
        this.prefix = ("{\"Status\":200,\"Application\":\"hello\",\"UUID\":\"" + uuid + "\",\"Data\":\"")
                .getBytes(StandardCharsets.US_ASCII);
        this.dataSize = dataSize;
    }

    /** @return the body's length in bytes */
    public long length() {
        return (long) prefix.length + dataSize + SUFFIX.length;
    }

    /** Writes the body to {@code out}, with letters drawn afresh. */
    public void writeTo(OutputStream out) throws IOException {
        byte[] chunk = new byte[CHUNK];
        Letters letters = new Letters(ThreadLocalRandom.current().nextLong());
        System.arraycopy(prefix, 0, chunk, 0, prefix.length);
        int used = prefix.length;
        int left = dataSize;
        while (left > 0) {
            int n = Math.min(left, CHUNK - used);
            letters.fill(chunk, used, n);
            used += n;
            left -= n;
            if (left > 0 || used + SUFFIX.length > CHUNK) {
                out.write(chunk, 0, used);
                used = 0;
            }
        }
        System.arraycopy(SUFFIX, 0, chunk, used, SUFFIX.length);
        out.write(chunk, 0, used + SUFFIX.length);
    }

    /**
     * Uniformly random letters from xorshift64*, seeded per body: each output gives four 16-bit draws, each a
     * letter pair by Lemire's multiply-shift, dropping the 640 draws of 65,536 that would bias some pairs.
     */
    static final class Letters {
        private long state;

        Letters(long seed) {
            this.state = seed | 1; // xorshift's state must not be 0
        }

        void fill(byte[] target, int offset, int length) {
            int i = offset;
            int pairsEnd = offset + (length & ~1);
            while (i < pairsEnd) {
                long r = next();
                for (int k = 0; k < 4 && i < pairsEnd; k++, r >>>= 16) {
                    int m = (int) (r & 0xFFFF) * (52 * 52);
                    if ((m & 0xFFFF) >= 65536 % (52 * 52)) {
                        int pair = (m >>> 16) << 1;
                        target[i] = PAIRS[pair];
                        target[i + 1] = PAIRS[pair + 1];
                        i += 2;
                    }
                }
            }
            while (i < offset + length) { // an odd length: one more letter
                int m = (int) (next() & 0xFFFF) * 52;
                if ((m & 0xFFFF) >= 65536 % 52) {
                    target[i++] = LETTERS[m >>> 16];
                }
            }
        }

        private long next() {
            state ^= state << 13;
            state ^= state >>> 7;
            state ^= state << 17;
            return state * 0x2545F4914F6CDD1DL;
        }
    }
}
