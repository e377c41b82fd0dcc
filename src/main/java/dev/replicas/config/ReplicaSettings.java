package dev.replicas.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Who this replica is, and every setting it runs with, read once and checked by {@link ReplicaConfig}.
 *
 * @param uuid           this replica's identity: a random UUID, made once per server start, in every answer
 *                       (so a client sees which replica answered) and in the Consul service ID
 * @param httpPort       the port the server listens on ({@code http.port})
 * @param payloadSize    letters of Data per answer ({@code hello.payload.size})
 * @param warmUpRequests how many requests the warm-up sends ({@code hello.warmup.requests}, 0: none)
 * @param warmUpBound    the longest readiness waits for them ({@code hello.warmup.seconds})
 * @param drainQuiet     on SIGTERM, the quiet time that ends the drain ({@code hello.drain.quiet})
 * @param drainMax       the longest a drain may take ({@code hello.drain.max})
 * @param registration   what to register in Consul; empty when registration is off or any setting is bad
 * @param problems       what is wrong, one line per bad key: the replica registers only if there is none
 */
public record ReplicaSettings(UUID uuid, int httpPort, int payloadSize, int warmUpRequests, Duration warmUpBound,
                              Duration drainQuiet, Duration drainMax, Optional<RegistrationSettings> registration,
                              List<String> problems) {
}
