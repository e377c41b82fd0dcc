package dev.replicas.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import javax.net.ssl.SSLContext;
import javax.net.ssl.X509TrustManager;

import com.google.common.net.HostAndPort;

/**
 * Who this replica is, and every setting it runs with, read once and checked by {@link ReplicaConfig}.
 *
 * @param uuid           who this replica is: made once per start; in every answer and in the Consul service ID
 * @param httpPort       the port the server listens on ({@code http.port})
 * @param payloadSize    letters of Data per answer ({@code hello.payload.size})
 * @param warmUpRequests how many requests the warm-up sends ({@code hello.warmup.requests}, 0: none)
 * @param warmUpBound    the longest readiness waits for them, in clock and CPU time ({@code hello.warmup.seconds})
 * @param drainQuiet     on SIGTERM, the quiet time that ends the drain ({@code hello.drain.quiet})
 * @param drainMax       the longest a drain may take ({@code hello.drain.max})
 * @param registration   what to register in Consul; empty when registration is off or any setting is bad
 * @param problems       what is wrong, one line per bad key: the replica registers only if there is none
 */
public record ReplicaSettings(UUID uuid, int httpPort, int payloadSize, int warmUpRequests, Duration warmUpBound,
                              Duration drainQuiet, Duration drainMax, Optional<Registration> registration, List<String> problems) {

    /** TLS that trusts only the CAs in CONSUL_CACERT: the context, and its trust manager, which OkHttp asks for too. */
    public record ConsulTls(SSLContext context, X509TrustManager trust) {
    }

    /**
     * Everything this replica needs to register itself in Consul, already checked.
     *
     * @param consul          the Consul agent's HTTP API
     * @param token           ACL token for the agent, if any
     * @param tokenKey        where the token comes from, for messages: CONSUL_HTTP_TOKEN or CONSUL_HTTP_TOKEN_FILE
     * @param consulCa        TLS trusting the CAs Consul's HTTPS must chain to (CONSUL_CACERT); empty: the JVM's own
     * @param serviceName     the Consul service name (the seed's {@code hello-server})
     * @param address         the address Consul's check and Fabio use to reach this replica
     * @param port            the port they use: the container's published host port ({@code DOCKERPORT})
     * @param tags            service tags, Fabio's {@code urlprefix-} route among them
     * @param checkInterval   between health checks
     * @param checkTimeout    how long a check may take
     * @param deregisterAfter after how long critical an instance leaves the catalog
     * @param refresh         how often a registered replica confirms Consul still has it
     * @param retryMax        the longest wait between two attempts while Consul cannot be reached
     */
    public record Registration(ConsulAddress consul, Optional<String> token, String tokenKey,
                               Optional<ConsulTls> consulCa, String serviceName,
                               String address, int port, List<String> tags, Duration checkInterval,
                               Duration checkTimeout, Duration deregisterAfter, Duration refresh, Duration retryMax) {

        /** @return where Consul's check and Fabio reach this replica, e.g. {@code [fd00::5]:8001} */
        public String hostAndPort() {
            return HostAndPort.fromParts(address, port).toString();
        }

        /** @return the URL of the HTTP check: this replica's health endpoint as seen from Consul */
        public String checkUrl() {
            return "http://" + hostAndPort() + "/health";
        }
    }
}
