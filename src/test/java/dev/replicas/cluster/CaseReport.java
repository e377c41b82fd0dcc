package dev.replicas.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The figures a suite's cases measured, one line each: printed, and appended to a file under
 * {@code target/} that the docs quote (faults-report.txt, swarm-report.txt).
 */
public final class CaseReport {

    private final String tag;
    private final Path file;

    /**
     * @param tag      what the console lines start with, e.g. {@code faults}
     * @param fileName the file under {@code target/}
     */
    public CaseReport(String tag, String fileName) {
        this.tag = tag;
        this.file = Path.of("target", fileName);
    }

    /** Prints and appends {@code caseName: figures}. */
    public void line(String caseName, String figures) {
        String line = caseName + ": " + figures;
        System.out.println("[" + tag + "] " + line);
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, line + System.lineSeparator(), StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
