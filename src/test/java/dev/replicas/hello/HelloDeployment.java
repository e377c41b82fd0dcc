package dev.replicas.hello;

import java.io.File;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What the Arquillian suites extend: the war that Maven built, deployed to a real Liberty server
 * (the real artifact, not a hand-picked subset; its name, hello.war, makes its context root
 * /hello), and the suite a client of it.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
public abstract class HelloDeployment {

    protected static final HttpClient HTTP = HttpClient.newHttpClient();

    /** The deployment's root, e.g. {@code http://localhost:9080/hello/}. */
    @ArquillianResource
    protected URL base;

    /**
     * @return target/hello.war as a ShrinkWrap archive
     */
    @Deployment(testable = false)
    public static WebArchive war() {
        File war = new File(System.getProperty("hello.war", "target/hello.war"));
        return ShrinkWrap.createFromZipFile(WebArchive.class, war);
    }

    /** @return {@code path} on the server, e.g. /health/ready, or api/v1 within the deployment */
    protected URI uri(String path) {
        return URI.create(base.toString()).resolve(path);
    }

    protected HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
