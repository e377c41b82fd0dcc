package dev.replicas.hello;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import dev.replicas.discovery.LogCapture;
import dev.replicas.discovery.TestConfigs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PayloadSizeTest {

    private LogCapture log;

    @BeforeEach
    void capture() {
        log = LogCapture.of(PayloadSize.class);
    }

    @AfterEach
    void release() {
        log.close();
    }

    @ParameterizedTest
    @CsvSource({"0, 0", "1024, 1024", "10000000, 10000000", "10000001, 200000", "-1, 200000", "lots, 200000"})
    void payloadSizeIsBoundedAndABadValueIsNamed(String configured, int used) {
        PayloadSize size = new PayloadSize(TestConfigs.of(Map.of("hello.payload.size", configured)));
        assertEquals(used, size.letters());
        if (configured.equals(String.valueOf(used))) {
            assertTrue(log.records().isEmpty(), log.records().toString());
        } else {
            assertEquals(1, log.records().size());
            assertEquals("Bad configuration: hello.payload.size='" + configured + "' is not a number from 0 to 10000000;"
                    + " using 200000", log.records().get(0).getMessage());
        }
    }

    @Test
    void theShippedDefaultIsTheSeeds() {
        assertEquals(200_000, new PayloadSize(TestConfigs.of(Map.of())).letters());
    }
}
