package dev.replicas.hello;

import dev.replicas.discovery.ReplicaIdentity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;

/**
 * {@code GET /hello/api/v1}: which replica answered, plus the load-test payload.
 */
@Path("/v1")
@ApplicationScoped
public class HelloResource {

    private final ReplicaIdentity identity;
    private final int payloadSize;

    /**
     * @param identity    this replica's identity
     * @param payloadSize letters of Data per answer
     */
    @Inject
    public HelloResource(ReplicaIdentity identity, PayloadSize payloadSize) {
        this.identity = identity;
        this.payloadSize = payloadSize.letters();
    }

    /** For the CDI client proxy only. */
    protected HelloResource() {
        this.identity = null;
        this.payloadSize = 0;
    }

    /**
     * @return the seed's JSON document, with {@code Data} generated for this response, streamed
     */
    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Response hello() {
        HelloPayload payload = new HelloPayload(identity.uuid(), payloadSize);
        return Response.ok((StreamingOutput) payload::writeTo)
                .header(HttpHeaders.CONTENT_LENGTH, payload.length())
                .build();
    }
}
