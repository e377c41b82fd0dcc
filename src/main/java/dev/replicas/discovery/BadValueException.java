package dev.replicas.discovery;

/**
 * A setting's value that does not parse; the message says what is wrong with it, in words that
 * follow the key and the value: {@code CONSUL_HTTP_ADDR='x:y' has port ...}.
 */
public class BadValueException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message what is wrong, e.g. {@code is not a duration such as 500ms, 10s, 1m or 1h}
     */
    public BadValueException(String message) {
        super(message);
    }
}
