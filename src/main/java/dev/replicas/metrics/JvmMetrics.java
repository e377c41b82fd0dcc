package dev.replicas.metrics;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryUsage;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * The JVM's and the process' figures under the names of Prometheus' Java client
 * ({@code jvm_memory_used_bytes}, {@code process_cpu_seconds_total}, ...), so that the usual JVM
 * graphs and dashboards work on them unchanged. Everything is read when Prometheus scrapes, from
 * the platform MXBeans and {@code /proc/self}: nothing runs between two scrapes.
 */
final class JvmMetrics {

    private static final Path STATUS = Path.of("/proc/self/status");

    private JvmMetrics() {
    }

    /**
     * Writes the figures in Prometheus' text format.
     *
     * @param out where to write
     * @throws IOException if {@code out} fails
     */
    static void writeTo(Appendable out) throws IOException {
        var memory = ManagementFactory.getMemoryMXBean();
        MemoryUsage heap = memory.getHeapMemoryUsage();
        MemoryUsage nonHeap = memory.getNonHeapMemoryUsage();
        header(out, "jvm_memory_used_bytes", "gauge", "Used bytes of a memory area.");
        out.append("jvm_memory_used_bytes{area=\"heap\"} ").append(Long.toString(heap.getUsed())).append('\n');
        out.append("jvm_memory_used_bytes{area=\"nonheap\"} ").append(Long.toString(nonHeap.getUsed())).append('\n');
        header(out, "jvm_memory_committed_bytes", "gauge", "Committed bytes of a memory area.");
        out.append("jvm_memory_committed_bytes{area=\"heap\"} ").append(Long.toString(heap.getCommitted())).append('\n');
        out.append("jvm_memory_committed_bytes{area=\"nonheap\"} ").append(Long.toString(nonHeap.getCommitted())).append('\n');
        header(out, "jvm_memory_max_bytes", "gauge", "Most bytes a memory area may use, -1 if unbounded.");
        out.append("jvm_memory_max_bytes{area=\"heap\"} ").append(Long.toString(heap.getMax())).append('\n');
        out.append("jvm_memory_max_bytes{area=\"nonheap\"} ").append(Long.toString(nonHeap.getMax())).append('\n');

        List<MemoryPoolMXBean> pools = ManagementFactory.getMemoryPoolMXBeans();
        pool(out, pools, "jvm_memory_pool_used_bytes", "Used bytes of a memory pool.", MemoryUsage::getUsed);
        pool(out, pools, "jvm_memory_pool_committed_bytes", "Committed bytes of a memory pool.", MemoryUsage::getCommitted);

        header(out, "jvm_gc_collection_seconds", "summary", "Time spent in a garbage collector.");
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            StringBuilder label = new StringBuilder("{gc=\"");
            PrometheusFormat.escape(gc.getName(), label);
            label.append("\"} ");
            out.append("jvm_gc_collection_seconds_count").append(label).append(Long.toString(gc.getCollectionCount())).append('\n');
            out.append("jvm_gc_collection_seconds_sum").append(label)
                    .append(PrometheusFormat.number(gc.getCollectionTime() / 1e3)).append('\n');
        }

        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        gauge(out, "jvm_threads_current", "Live threads.", threads.getThreadCount());
        gauge(out, "jvm_threads_daemon", "Live daemon threads.", threads.getDaemonThreadCount());
        gauge(out, "jvm_threads_peak", "Most live threads since the JVM started.", threads.getPeakThreadCount());
        gauge(out, "jvm_classes_currently_loaded", "Classes loaded now.",
                ManagementFactory.getClassLoadingMXBean().getLoadedClassCount());
        var compilation = ManagementFactory.getCompilationMXBean();
        if (compilation != null && compilation.isCompilationTimeMonitoringSupported()) {
            header(out, "jvm_compilation_time_seconds_total", "counter", "Time the JIT compilers spent compiling.");
            out.append("jvm_compilation_time_seconds_total ")
                    .append(PrometheusFormat.number(compilation.getTotalCompilationTime() / 1e3)).append('\n');
        }

        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            header(out, "process_cpu_seconds_total", "counter", "CPU time of the process, user and system.");
            out.append("process_cpu_seconds_total ").append(PrometheusFormat.number(os.getProcessCpuTime() / 1e9)).append('\n');
        }
        var runtime = ManagementFactory.getRuntimeMXBean();
        header(out, "process_start_time_seconds", "gauge", "When the process started, in seconds since the epoch.");
        out.append("process_start_time_seconds ").append(PrometheusFormat.number(runtime.getStartTime() / 1e3)).append('\n');
        long resident = residentBytes();
        if (resident >= 0) {
            gauge(out, "process_resident_memory_bytes", "Resident memory of the process: heap, code, metaspace, stacks, mapped files.", resident);
        }
    }

    private static void header(Appendable out, String name, String type, String help) throws IOException {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void gauge(Appendable out, String name, String help, long value) throws IOException {
        header(out, name, "gauge", help);
        out.append(name).append(' ').append(Long.toString(value)).append('\n');
    }

    private static void pool(Appendable out, List<MemoryPoolMXBean> pools, String name, String help,
            ToLongFunction<MemoryUsage> figure) throws IOException {
        header(out, name, "gauge", help);
        for (MemoryPoolMXBean pool : pools) {
            MemoryUsage usage = pool.getUsage();
            if (usage != null) {
                StringBuilder line = new StringBuilder(name).append("{pool=\"");
                PrometheusFormat.escape(pool.getName(), line);
                out.append(line).append("\"} ").append(Long.toString(figure.applyAsLong(usage))).append('\n');
            }
        }
    }

    /** VmRSS from /proc/self/status, or -1 where there is no /proc (not Linux). */
    private static long residentBytes() {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.substring(6).trim().split("\\s+")[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or a kernel that words it otherwise: the figure is left out
        }
        return -1;
    }
}
