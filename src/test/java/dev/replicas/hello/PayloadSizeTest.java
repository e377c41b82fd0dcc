package dev.replicas.hello;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import dev.replicas.discovery.TestConfigs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PayloadSizeTest {

    private final List<LogRecord> logged = new ArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            logged.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void capture() {
        Logger.getLogger(PayloadSize.class.getName()).addHandler(capture);
    }

    @AfterEach
    void release() {
        Logger.getLogger(PayloadSize.class.getName()).removeHandler(capture);
    }

    @ParameterizedTest
    @CsvSource({"0, 0", "1024, 1024", "10000000, 10000000", "10000001, 200000", "-1, 200000", "lots, 200000"})
    void payloadSizeIsBoundedAndABadValueIsNamed(String configured, int used) {
        PayloadSize size = new PayloadSize(TestConfigs.of(Map.of("hello.payload.size", configured)));
        assertEquals(used, size.letters());
        if (configured.equals(String.valueOf(used))) {
            assertTrue(logged.isEmpty(), logged.toString());
        } else {
            assertEquals(1, logged.size());
            assertEquals("Bad configuration: hello.payload.size='" + configured + "' is not a number from 0 to 10000000;"
                    + " using 200000", logged.get(0).getMessage());
        }
    }

    @Test
    void theShippedDefaultIsTheSeeds() {
        assertEquals(200_000, new PayloadSize(TestConfigs.of(Map.of())).letters());
    }
}
