package dev.replicas.hello;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What a good answer of {@code GET /hello/api/v1} is, checked at two costs.
 *
 * <ul>
 *   <li>{@link #uuidOf}, for every answer: the exact byte length and the fixed frame of the
 *       seed's document ({@code {"Status":200,"Application":"hello","UUID":"<uuid>","Data":"...."}}),
 *       which yields the UUID without parsing 200 kB of JSON;</li>
 *   <li>{@link #violation}, for a regular sample: the whole contract through a JSON parser,
 *       exactly the four keys, Status 200, Application "hello", a UUID, and Data of the expected
 *       number of letters a-z, A-Z only.</li>
 * </ul>
 */
public final class AnswerContract {

    /** What {@link #violation} returns for an answer that keeps the contract. */
    public static final String OK = "ok";

    static final String PREFIX = "{\"Status\":200,\"Application\":\"hello\",\"UUID\":\"";
    static final String MIDDLE = "\",\"Data\":\"";
    static final String SUFFIX = "\"}";
    static final int UUID_LENGTH = 36;

    private static final Pattern UUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final List<String> KEYS = List.of("Application", "Data", "Status", "UUID");
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
        keys.sort(null);
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
