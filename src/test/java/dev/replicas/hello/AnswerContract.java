package dev.replicas.hello;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What a good answer of {@code GET /hello/api/v1} is: the one definition every suite checks
 * answers against (Arquillian, cluster, faults, Swarm, load), at three costs.
 *
 * <ul>
 *   <li>{@link #uuidOf}, for every answer of a heavy load: the exact byte length and the fixed
 *       frame of the seed's document
 *       ({@code {"Status":200,"Application":"hello","UUID":"<uuid>","Data":"...."}}), which yields
 *       the UUID without parsing 200 kB of JSON;</li>
 *   <li>{@link #violation}, for a regular sample: the whole body through a JSON parser, exactly
 *       the four keys in the seed's order, Status 200, Application "hello", a UUID, and Data of
 *       the expected number of letters a-z, A-Z only;</li>
 *   <li>{@link #violationOf}, for an HTTP answer: status 200, a JSON media type, a Content-Length
 *       that is the body's, and the body both framed ({@link #uuidOf}) and parsed
 *       ({@link #violation}); {@link #framedViolationOf} is the same without the parser, for every
 *       answer of a load; {@link #assertKept} fails a test with what is wrong.</li>
 * </ul>
 *
 * <p>The expected size of Data is configuration, not a constant: {@link #configured()}.
 */
public final class AnswerContract {

    /** What {@link #violation} returns for an answer that keeps the contract. */
    public static final String OK = "ok";

    /** The key of the size of Data, as the service reads it. */
    public static final String PAYLOAD_KEY = "hello.payload.size";
    /** The service's own defaults, where {@link #PAYLOAD_KEY} has its shipped value. */
    static final String DEFAULTS = "META-INF/microprofile-config.properties";
    /** The service's bound of {@link #PAYLOAD_KEY}. */
    static final int MAX_PAYLOAD = 10_000_000;

    static final String PREFIX = "{\"Status\":200,\"Application\":\"hello\",\"UUID\":\"";
    static final String MIDDLE = "\",\"Data\":\"";
    static final String SUFFIX = "\"}";
    static final int UUID_LENGTH = 36;

    private static final Pattern UUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    /** The seed's keys, in the seed's order. */
    private static final List<String> KEYS = List.of("Status", "Application", "UUID", "Data");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] PREFIX_BYTES = PREFIX.getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MIDDLE_BYTES = MIDDLE.getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SUFFIX_BYTES = SUFFIX.getBytes(StandardCharsets.US_ASCII);

    private final int payload;

    /**
     * @param payload letters of Data a good answer carries
     */
    public AnswerContract(int payload) {
        this.payload = payload;
    }

    /**
     * The contract of the answers of the service as configured: the system property
     * {@value #PAYLOAD_KEY} when the run sets one (a cluster that sets {@code HELLO_PAYLOAD_SIZE}
     * passes the same value to the tests), otherwise the default the service ships in
     * {@value #DEFAULTS}.
     *
     * @return the contract
     * @throws IllegalStateException when the size is not a number from 0 to 10000000, or not
     *                               exactly one file of the service's defaults defines it
     */
    public static AnswerContract configured() {
        return configured(System.getProperty(PAYLOAD_KEY), shippedDefaults(AnswerContract.class.getClassLoader()));
    }

    /** {@link #configured()} from a system property's value (null: unset) and the shipped defaults found. */
    static AnswerContract configured(String property, Map<String, String> defaults) {
        if (property != null) {
            return new AnswerContract(parse(property, "system property " + PAYLOAD_KEY));
        }
        if (defaults.size() != 1) {
            throw new IllegalStateException("Bad configuration: " + PAYLOAD_KEY + " must be defined by exactly one "
                    + DEFAULTS + " on the class path, found " + defaults);
        }
        Map.Entry<String, String> only = defaults.entrySet().iterator().next();
        return new AnswerContract(parse(only.getValue(), only.getKey()));
    }

    /** Every {@value #DEFAULTS} on the class path that defines {@value #PAYLOAD_KEY}: where, and its value. */
    static Map<String, String> shippedDefaults(ClassLoader loader) {
        Map<String, String> found = new TreeMap<>();
        try {
            Enumeration<URL> urls = loader.getResources(DEFAULTS);
            while (urls.hasMoreElements()) {
                URL url = urls.nextElement();
                Properties properties = new Properties();
                try (InputStream in = url.openStream()) {
                    properties.load(in);
                }
                if (properties.containsKey(PAYLOAD_KEY)) {
                    found.put(url.toString(), properties.getProperty(PAYLOAD_KEY));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return found;
    }

    private static int parse(String value, String where) {
        try {
            int letters = Integer.parseInt(value.trim());
            if (letters >= 0 && letters <= MAX_PAYLOAD) {
                return letters;
            }
        } catch (NumberFormatException e) {
            // named below, with the value
        }
        throw new IllegalStateException("Bad configuration: " + PAYLOAD_KEY + "='" + value + "' (" + where
                + ") is not a number from 0 to " + MAX_PAYLOAD);
    }

    /**
     * @return the letters of Data a good answer carries
     */
    public int payload() {
        return payload;
    }

    /**
     * @return the exact length in bytes of a good answer
     */
    public int length() {
        return PREFIX_BYTES.length + UUID_LENGTH + MIDDLE_BYTES.length + payload + SUFFIX_BYTES.length;
    }

    /**
     * The cheap check: length and frame.
     *
     * @param body an answer's body
     * @return the replica's UUID, or null when the body is not framed as a good answer
     */
    public String uuidOf(byte[] body) {
        if (body == null || body.length != length()
                || !startsAt(body, 0, PREFIX_BYTES)
                || !startsAt(body, PREFIX_BYTES.length + UUID_LENGTH, MIDDLE_BYTES)
                || !startsAt(body, body.length - SUFFIX_BYTES.length, SUFFIX_BYTES)) {
            return null;
        }
        String uuid = new String(body, PREFIX_BYTES.length, UUID_LENGTH, StandardCharsets.US_ASCII);
        return UUID.matcher(uuid).matches() ? uuid : null;
    }

    /**
     * The full check, through a JSON parser.
     *
     * @param body an answer's body
     * @return {@link #OK}, or what is wrong with the answer
     */
    public String violation(byte[] body) {
        JsonNode doc;
        try {
            doc = JSON.readTree(body);
        } catch (java.io.IOException e) {
            return "not JSON: " + e.getMessage();
        }
        if (doc == null || !doc.isObject()) {
            return "not a JSON object";
        }
        List<String> keys = new ArrayList<>();
        doc.fieldNames().forEachRemaining(keys::add);
        if (!keys.equals(KEYS)) {
            return "keys " + keys + ", expected " + KEYS;
        }
        if (!doc.get("Status").isInt() || doc.get("Status").intValue() != 200) {
            return "Status " + doc.get("Status") + ", expected 200";
        }
        if (!"hello".equals(doc.get("Application").textValue())) {
            return "Application " + doc.get("Application") + ", expected \"hello\"";
        }
        String uuid = doc.get("UUID").textValue();
        if (uuid == null || !UUID.matcher(uuid).matches()) {
            return "UUID " + doc.get("UUID") + " is not a UUID";
        }
        String data = doc.get("Data").textValue();
        if (data == null || data.length() != payload) {
            return "Data has " + (data == null ? "no text" : data.length() + " characters") + ", expected " + payload;
        }
        for (int i = 0; i < data.length(); i++) {
            char c = data.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z')) {
                return "Data has '" + c + "' at " + i + ", expected letters a-z, A-Z only";
            }
        }
        return OK;
    }

    /**
     * The whole check of an HTTP answer: status 200, a JSON media type, a Content-Length equal to
     * the body's length, and a body that keeps the contract both through a JSON parser
     * ({@link #violation}) and byte for byte in the seed's frame ({@link #uuidOf}).
     *
     * @param response an answer of {@code GET /hello/api/v1}
     * @return {@link #OK}, or what is wrong with the answer; a status other than 200 as
     *         {@code HTTP <status>}
     */
    public String violationOf(HttpResponse<byte[]> response) {
        String framed = framedViolationOf(response);
        return framed.equals(OK) ? violation(response.body()) : framed;
    }

    /**
     * The cheap check of an HTTP answer, for every answer of a load: {@link #violationOf} but for
     * the JSON parser (status, media type, Content-Length, and the seed's frame with a UUID).
     *
     * @param response an answer of {@code GET /hello/api/v1}
     * @return {@link #OK}, or what is wrong with the answer
     */
    public String framedViolationOf(HttpResponse<byte[]> response) {
        if (response.statusCode() != 200) {
            return "HTTP " + response.statusCode();
        }
        String type = response.headers().firstValue("Content-Type").orElse("none");
        if (!type.startsWith("application/json")) {
            return "Content-Type " + type + ", expected application/json";
        }
        byte[] body = response.body();
        String length = response.headers().firstValue("Content-Length").orElse("none");
        if (body == null || !length.equals(String.valueOf(body.length))) {
            return "Content-Length " + length + " for a body of " + (body == null ? "no" : body.length) + " bytes";
        }
        if (uuidOf(body) == null) {
            // The parser names what is wrong better than the frame can; the frame catches the rest.
            String violation = violation(body);
            return violation.equals(OK) ? "not in the seed's frame of " + length() + " bytes" : violation;
        }
        return OK;
    }

    /**
     * {@link #violationOf} for a test: fails it with what is wrong.
     *
     * @param response an answer of {@code GET /hello/api/v1}
     * @return the answering replica's UUID
     * @throws AssertionError naming the violation when the answer breaks the contract
     */
    public String assertKept(HttpResponse<byte[]> response) {
        String violation = violationOf(response);
        if (!violation.equals(OK)) {
            throw new AssertionError("GET " + response.uri() + " broke the answer contract: " + violation);
        }
        return uuidOf(response.body());
    }

    private static boolean startsAt(byte[] body, int offset, byte[] expected) {
        if (offset < 0 || offset + expected.length > body.length) {
            return false;
        }
        for (int i = 0; i < expected.length; i++) {
            if (body[offset + i] != expected[i]) {
                return false;
            }
        }
        return true;
    }
}
