package dev.replicas.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The figures a fault case measured, one line each, printed and appended to
 * {@code target/faults-report.txt} (docs/reliability.md quotes them).
 */
final class FaultReport {

    private static final Path FILE = Path.of("target", "faults-report.txt");

    private FaultReport() {
    }

    static void line(String caseName, String figures) {
        String line = caseName + ": " + figures;
        System.out.println("[faults] " + line);
        try {
            Files.createDirectories(FILE.getParent());
            Files.writeString(FILE, line + System.lineSeparator(), StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
