package dev.replicas.config;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** What a class logs during a test, from {@link #of} until {@link #close}. */
public final class LogCapture extends Handler implements AutoCloseable {

    private final Logger logger;
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();

    private LogCapture(Logger logger) {
        this.logger = logger;
    }

    /**
     * @param source the class whose logger (named after it) to listen to
     * @return a capture, attached
     */
    public static LogCapture of(Class<?> source) {
        LogCapture capture = new LogCapture(Logger.getLogger(source.getName()));
        capture.logger.addHandler(capture);
        return capture;
    }

    /**
     * @return every record so far
     */
    public List<LogRecord> records() {
        return records;
    }

    /**
     * @param level the lowest level kept
     * @return the records of that level or above, so far
     */
    public List<LogRecord> atLeast(Level level) {
        return records.stream().filter(r -> r.getLevel().intValue() >= level.intValue()).toList();
    }

    @Override
    public void publish(LogRecord record) {
        records.add(record);
    }

    @Override
    public void flush() {
    }

    /** Detaches from the logger. */
    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
