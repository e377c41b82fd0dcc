package dev.replicas.swarm;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * What a stranger on the network gets from a Swarm manager, tried from a container of its own on
 * Docker's default bridge (not loopback, not the stack's network): JDK only, so that it runs in the
 * hello image with the test classes mounted. Prints one line per try, {@code name|outcome|headers|body}:
 *
 * <pre>java -cp test-classes dev.replicas.swarm.StrangerProbe MANAGER-ADDRESS CA-FILE</pre>
 */
public final class StrangerProbe {

    private StrangerProbe() {
    }

    public static void main(String[] args) throws Exception {
        String manager = args[0];
        HttpClient https = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).sslContext(trusting(Path.of(args[1]))).build();
        HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        for (int port : new int[] {9000, 9001, 8500}) {
            System.out.println("tcp " + port + "|" + connect(manager, port) + "||");
        }
        print("plain consul", plain, "GET", "http://" + manager + ":8501/v1/catalog/services", null);
        print("plain prometheus", plain, "GET", "http://" + manager + ":9090/api/v1/query?query=up", null);
        print("prometheus without password", https, "GET", "https://" + manager + ":9090/api/v1/query?query=up", null);
        print("consul anonymous read", https, "GET", "https://" + manager + ":8501/v1/catalog/services", null);
        print("consul anonymous write", https, "PUT", "https://" + manager + ":8501/v1/agent/service/register",
                "{\"Name\":\"intruder\",\"Address\":\"10.9.9.9\",\"Port\":80,\"Tags\":[\"urlprefix-/\"]}");
        print("consul agent members", https, "GET", "https://" + manager + ":8501/v1/agent/members", null);
        print("hello over https", https, "GET", "https://" + manager + ":9443/hello/api/v1", null);
    }

    private static String connect(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 3000);
            return "open";
        } catch (IOException e) {
            return "closed (" + e.getClass().getSimpleName() + ")";
        }
    }

    private static void print(String name, HttpClient client, String method, String url, String body) {
        try {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                    .build(), HttpResponse.BodyHandlers.ofString());
            String text = response.body().length() > 300 ? response.body().substring(0, 300) : response.body();
            System.out.println(name + "|" + response.statusCode() + "|" + response.headers().map() + "|" + text.replace('\n', ' '));
        } catch (IOException | InterruptedException e) {
            System.out.println(name + "|" + e.getClass().getSimpleName() + "||");
        }
    }

    private static SSLContext trusting(Path ca) throws Exception {
        KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
        trusted.load(null, null);
        try (InputStream in = Files.newInputStream(ca)) {
            trusted.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, trust.getTrustManagers(), null);
        return tls;
    }
}
