package dev.replicas.config;

/** Thrown by our converters; the message says what is wrong, in words that follow key and value. */
public class BadValueException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /** @param message what is wrong, e.g. {@code is not a subnet such as 10.42.0.0/24} */
    public BadValueException(String message) {
        super(message);
    }
}
