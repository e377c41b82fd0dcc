package dev.replicas.scaler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.Test;

/** The evaluation around the policy: what it does when Docker or Prometheus fail or answer nothing. */
class ScalerTest {

    /** A service whose count the test sets, and that records each scaling (or refuses it). */
    private static final class FakeReplicas implements Scaler.Replicas {
        int count = 4;
        boolean refuse;
        boolean unreachable;
        final List<Integer> scaledTo = new ArrayList<>();

        @Override
        public int current() throws IOException {
            if (unreachable) {
                throw new IOException("connection refused");
            }
            return count;
        }

        @Override
        public void scaleTo(int replicas) throws IOException {
            if (refuse) {
                throw new IOException("update out of sequence");
            }
            scaledTo.add(replicas);
            count = replicas;
        }
    }

    private final FakeReplicas replicas = new FakeReplicas();

    private Scaler scaler(Map<String, String> settings, Callable<PrometheusReader.Reading> readings) {
        return new Scaler(ScalerConfig.read(settings::get), replicas, readings, new PrometheusRegistry());
    }

    @Test
    void scalesUpUnderLoadAndSaysWhatItSawWantedAndDid() throws Exception {
        String line = scaler(Map.of(), () -> new PrometheusReader.Reading(4, 4, 160, 0.02)).evaluate(0);
        assertEquals(List.of(8), replicas.scaledTo);
        assertTrue(line.contains("4 replicas, 4 routed answering 160.0 requests/s") && line.contains("wants 8")
                && line.endsWith("-> 8"), line);
    }

    @Test
    void aDryRunLogsAndScalesNothing() throws Exception {
        String line = scaler(Map.of("scaler.dry-run", "true"), () -> new PrometheusReader.Reading(4, 4, 160, 0.02)).evaluate(0);
        assertEquals(List.of(), replicas.scaledTo);
        assertTrue(line.endsWith("(dry run: not scaled)"), line);
    }

    @Test
    void missingDataHoldsTheCountNeverMinOrMax() throws Exception {
        String line = scaler(Map.of(), () -> {
            throw new IOException("Prometheus answered 503");
        }).evaluate(0);
        assertTrue(line.startsWith("holding 4: no reading from Prometheus: Prometheus answered 503"), line);
        line = scaler(Map.of(), () -> new PrometheusReader.Reading(0, 0, 0, Double.NaN)).evaluate(400_000);
        assertTrue(line.startsWith("holding 4: Prometheus has no series"), line);
        replicas.unreachable = true;
        line = scaler(Map.of(), () -> new PrometheusReader.Reading(4, 4, 400, 0.02)).evaluate(0);
        assertTrue(line.startsWith("holding: the Docker API did not give hello_replica's replicas: connection refused"), line);
        assertEquals(List.of(), replicas.scaledTo);
    }

    @Test
    void aRefusedScalingIsOneLineAndTheNextEvaluationTriesAgain() throws Exception {
        Scaler scaler = scaler(Map.of(), () -> new PrometheusReader.Reading(4, 4, 160, 0.02));
        replicas.refuse = true;
        assertTrue(scaler.evaluate(0).endsWith("but the Docker API refused: update out of sequence"));
        replicas.refuse = false;
        scaler.evaluate(15_000);
        assertEquals(List.of(8), replicas.scaledTo);
    }

    @Test
    void aP99AboveItsCeilingAddsOneReplica() throws Exception {
        String line = scaler(Map.of("scaler.p99-ceiling", "0.1"), () -> new PrometheusReader.Reading(4, 4, 80, 0.25)).evaluate(0);
        assertEquals(List.of(5), replicas.scaledTo);
        assertTrue(line.contains("up: p99 above 0.1 s"), line);
    }
}
