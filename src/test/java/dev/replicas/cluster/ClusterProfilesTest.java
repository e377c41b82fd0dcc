package dev.replicas.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The replica images and replicas-N profiles in cluster-profiles/pom.xml are what
 * cluster-profiles/generate makes from its template, for whatever sizes are there (so
 * `generate 1 4 8 12` keeps the build green), and they hang together: every replica defined once,
 * publishing, announcing and being waited on at a port of its own, on loopback and the Docker host's
 * gateway only, listed before Fabio and Consul (docker:stop's order); a replicas-N profile runs
 * replicas 1 to N and skips the others.
 */
class ClusterProfilesTest {

    private static final Path POM = Path.of("cluster-profiles/pom.xml");

    @TempDir
    Path temp;

    private static List<String> sizes() throws Exception {
        List<String> sizes = new ArrayList<>();
        for (Element profile : children(child(parse().getDocumentElement(), "profiles"), "profile")) {
            String id = text(profile, "id");
            if (id.startsWith("replicas-")) {
                sizes.add(id.substring("replicas-".length()));
            }
        }
        return sizes;
    }

    private static Document parse() throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(POM.toFile());
    }

    @Test
    void theCommittedProfilesAreWhatTheGeneratorMakes() throws Exception {
        Path copy = temp.resolve("pom.xml");
        Files.copy(POM, copy);
        List<String> command = new ArrayList<>(List.of("bash", "cluster-profiles/generate"));
        command.addAll(sizes());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("POM", copy.toString());
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "generate did not finish");
        assertEquals(0, process.exitValue(), output);
        assertEquals(Files.readString(POM), Files.readString(copy),
                "cluster-profiles/pom.xml differs from what `generate " + String.join(" ", sizes())
                        + "` makes: edit the template in cluster-profiles/generate and run it, not the profiles");
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> found = new ArrayList<>();
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            if (nodes.item(i).getNodeType() == Node.ELEMENT_NODE && nodes.item(i).getNodeName().equals(name)) {
                found.add((Element) nodes.item(i));
            }
        }
        return found;
    }

    private static Element child(Element parent, String path) {
        Element current = parent;
        for (String name : path.split("/")) {
            current = children(current, name).get(0);
        }
        return current;
    }

    private static String text(Element parent, String path) {
        return child(parent, path).getTextContent().trim();
    }

    @Test
    void everyReplicaIsDefinedOnceAndEveryProfileRunsTheFirstN() throws Exception {
        Element project = parse().getDocumentElement();
        List<Element> images = children(child(project, "build/plugins/plugin/configuration/images"), "image");
        List<String> aliases = images.stream().map(image -> text(image, "alias")).toList();
        int max = sizes().stream().mapToInt(Integer::parseInt).max().orElseThrow();
        assertEquals(max + 4, images.size(), "replicas, dashboards, prometheus, fabio, consul: " + aliases);
        assertEquals(List.of("dashboards", "prometheus", "fabio", "consul"), aliases.subList(max, max + 4),
                "the replicas come first, so that docker:stop stops them before Fabio and Consul");
        for (int i = 1; i <= max; i++) {
            String port = String.valueOf(8000 + i);
            Element image = images.get(i - 1);
            assertEquals("replica-" + i, text(image, "alias"));
            assertEquals("${app.image}", text(image, "name"));
            assertEquals("${replica." + i + ".skip}", text(image, "run/skip"));
            List<Element> ports = children(child(image, "run/ports"), "port");
            assertEquals(List.of("${cluster.bind}:" + port + ":8000", "${cluster.gateway}:" + port + ":8080"),
                    ports.stream().map(p -> p.getTextContent().trim()).toList(), "replica-" + i);
            assertEquals(port, text(image, "run/env/DOCKERPORT"));
            assertTrue(text(image, "run/env/HELLO_SERVICE_TAGS").startsWith("urlprefix-/replica/" + port + "/* "));
            assertTrue(text(image, "run/wait/http/url").endsWith("/replica/" + port + "/health"));
        }

        List<String> ids = new ArrayList<>();
        for (Element profile : children(child(project, "profiles"), "profile")) {
            String id = text(profile, "id");
            ids.add(id);
            int n = Integer.parseInt(id.substring("replicas-".length()));
            assertEquals(String.valueOf(n), text(profile, "properties/cluster.replicas"), id);
            for (int i = 1; i <= max; i++) {
                assertEquals(String.valueOf(i > n), text(profile, "properties/replica." + i + ".skip"), id + ", replica-" + i);
            }
        }
        assertTrue(ids.contains("replicas-4"), "mvn verify tests replicas-4: " + ids);
    }
}
