package dev.replicas.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Durations as Consul writes them, read and written back. */
class DurationConverterTest {

    private final DurationConverter converter = new DurationConverter();

    @ParameterizedTest
    @CsvSource({"500ms, 500, 500ms", "10s, 10000, 10s", "' 1m ', 60000, 1m", "1h, 3600000, 1h", "60s, 60000, 1m",
            "1500ms, 1500, 1500ms", "90m, 5400000, 90m"})
    void readsConsulsUnitsAndWritesTheLargestWholeOne(String text, long millis, String written) {
        Duration duration = converter.convert(text);
        assertEquals(Duration.ofMillis(millis), duration);
        assertEquals(written, DurationConverter.format(duration));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "0s", "10", "10 seconds", "PT10S", "-1s", "1d", "1.5s", "1234567890s"})
    void rejectsWhatIsNotAConsulDuration(String text) {
        assertEquals("is not a duration such as 500ms, 10s, 1m or 1h",
                assertThrows(BadValueException.class, () -> converter.convert(text)).getMessage());
    }
}
