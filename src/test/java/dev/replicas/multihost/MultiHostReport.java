package dev.replicas.multihost;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** The figures the multi-host cases measured: printed and appended to target/multihost-report.txt. */
final class MultiHostReport {

    private static final Path FILE = Path.of("target", "multihost-report.txt");

    private MultiHostReport() {
    }

    static void line(String caseName, String figures) {
        String line = caseName + ": " + figures;
        System.out.println("[multi-host] " + line);
        try {
            Files.createDirectories(FILE.getParent());
            Files.writeString(FILE, line + System.lineSeparator(), StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
