package dev.replicas.scaler;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** What the scaler reads from Prometheus' HTTP API: each routed replica's rate of answered requests, and the p99. */
final class PrometheusReader {

    private static final String REQUESTS = "{job=\"hello\",http_route=\"/hello/api/v1\"}[30s]";
    /** Requests answered per second by each replica; a replica Fabio does not route answers none. */
    static final String RATE_BY_REPLICA = "sum by (instance) (rate(http_server_request_duration_seconds_count" + REQUESTS + "))";
    static final String P99 = "histogram_quantile(0.99, sum by (le) (rate(http_server_request_duration_seconds_bucket"
            + REQUESTS + ")))";

    /** Replicas scraped, replicas that answered (routed, so warm), their requests/s, and the p99 in s (NaN: no request). */
    record Reading(int series, int counted, double rate, double p99Seconds) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http;
    private final URI base;
    /** Each query's request but its URI: the timeout, and Prometheus' password if it has one. */
    private final HttpRequest.Builder request = HttpRequest.newBuilder().timeout(Duration.ofSeconds(5));

    PrometheusReader(ScalerConfig config) throws IOException, GeneralSecurityException {
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).sslContext(config.prometheusCaFile().isEmpty()
                ? SSLContext.getDefault() : trusting(Path.of(config.prometheusCaFile()))).build();
        this.base = config.prometheus();
        if (!config.prometheusUser().isEmpty()) {
            request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString((config.prometheusUser() + ":"
                    + Files.readString(Path.of(config.prometheusPasswordFile())).trim()).getBytes(StandardCharsets.UTF_8)));
        }
    }

    /** Reads the rate per replica and the p99; an IOException says in one line what was wrong. */
    Reading read() throws IOException, InterruptedException {
        double[] rates = query(RATE_BY_REPLICA);
        double[] p99 = query(P99);
        var answering = Arrays.stream(rates).filter(r -> r > 0).summaryStatistics();
        return new Reading(rates.length, (int) answering.getCount(), answering.getSum(), p99.length > 0 ? p99[0] : Double.NaN);
    }

    private double[] query(String promql) throws IOException, InterruptedException {
        URI uri = base.resolve("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        HttpResponse<String> response = http.send(request.copy().uri(uri).build(), HttpResponse.BodyHandlers.ofString());
        try {
            JsonNode body = JSON.readTree(response.body());
            if (response.statusCode() == 200 && "success".equals(body.path("status").asText())
                    && "vector".equals(body.path("data").path("resultType").asText())) {
                // Each sample: {"metric": {...}, "value": [<time>, "<number>"]}.
                return body.path("data").path("result").valueStream()
                        .mapToDouble(sample -> Double.parseDouble(sample.path("value").path(1).asText())).toArray();
            }
        } catch (IOException | NumberFormatException e) {
            // below: one line for every answer that is not a vector of numbers
        }
        String answer = response.body().replaceAll("\\s+", " ").strip();
        throw new IOException("Prometheus answered " + response.statusCode() + " "
                + (answer.length() <= 200 ? answer : answer.substring(0, 200) + "...") + " to " + promql);
    }

    private static SSLContext trusting(Path caFile) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        try (InputStream in = Files.newInputStream(caFile)) {
            store.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }
}
