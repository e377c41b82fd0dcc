package dev.replicas.hello;

import dev.replicas.config.ReplicaSettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;

/** {@code GET /hello/api/v1}: which replica answered, plus the load-test payload. */
@Path("/v1")
@Produces(MediaType.APPLICATION_JSON)
@ApplicationScoped
public class HelloResource {

    /** Immutable: every {@code writeTo} draws its own letters. */
    private final HelloPayload payload;

    /** @param replica who this replica is, and the letters of Data per answer */
    @Inject
    public HelloResource(ReplicaSettings replica) {
        this.payload = new HelloPayload(replica.uuid(), replica.payloadSize());
    }

    /** For the CDI client proxy only. */
    protected HelloResource() {
        this.payload = null;
    }

    /** @return the seed's JSON document, with {@code Data} generated for this response, streamed */
    @GET
    public Response hello() {
        return Response.ok((StreamingOutput) payload::writeTo).header(HttpHeaders.CONTENT_LENGTH, payload.length()).build();
    }

    /** @return the headers of {@link #hello()} without generating its body */
    @HEAD
    public Response head() {
        return Response.ok().header(HttpHeaders.CONTENT_LENGTH, payload.length()).build();
    }
}
