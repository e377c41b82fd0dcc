package dev.replicas.hello;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Whole answers as arrays, for tests: the service only ever streams them. */
public final class Bodies {

    private Bodies() {
    }

    /** @return the body {@code payload} writes, as one array */
    public static byte[] of(HelloPayload payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) payload.length());
        try {
            payload.writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
