package dev.replicas.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ConsulAddressTest {

    @ParameterizedTest
    @CsvSource({
            "consul:8500,             http://consul:8500",
            "consul,                  http://consul:8500",
            "127.0.0.1:18500,         http://127.0.0.1:18500",
            "http://consul:8500,      http://consul:8500",
            "HTTPS://consul.example,  https://consul.example:8500",
            "https://consul:8501/,    https://consul:8501",
            "[::1]:8500,              http://[::1]:8500",
            "' consul:8500 ',         http://consul:8500",
    })
    void acceptsConsulsOwnForms(String value, String url) {
        assertEquals(url, ConsulAddress.of(value).url());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "consul:abc", "consul:70000", "ftp://consul:8500", "http://consul:8500/v1",
            "http://user@consul:8500", "consul:8500?x=1", "://8500", "con sul:8500", "http://:8500"})
    void rejectsWhatIsNotAnAgentAddress(String value) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConsulAddress.of(value));
        assertTrue(e.getMessage().length() > 5, e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"consul:0", "consul:65536"})
    void rejectsPortsOutOfRange(String value) {
        assertThrows(IllegalArgumentException.class, () -> ConsulAddress.of(value));
    }
}
