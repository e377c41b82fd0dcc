package dev.replicas.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.util.ArrayList;
import java.util.List;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The generated replicas-N profiles in cluster-profiles/pom.xml hang together: N replicas,
 * each publishing, announcing and being waited on at the same port of its own. Catches hand edits that drift from the generator.
 */
class ClusterProfilesTest {

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
    void everyReplicasProfileIsConsistent() throws Exception {
        Document pom = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new File("cluster-profiles/pom.xml"));
        List<String> ids = new ArrayList<>();
        for (Element profile : children(child(pom.getDocumentElement(), "profiles"), "profile")) {
            String id = text(profile, "id");
            if (!id.startsWith("replicas-")) {
                continue;
            }
            ids.add(id);
            int n = Integer.parseInt(id.substring("replicas-".length()));
            assertEquals(String.valueOf(n), text(profile, "properties/cluster.replicas"), id);

            List<Element> images = children(child(profile, "build/plugins/plugin/configuration/images"), "image");
            assertEquals(n, images.size(), id);
            for (int i = 1; i <= n; i++) {
                String port = "${hello.port." + i + "}";
                assertEquals(String.valueOf(8000 + i), text(profile, "properties/hello.port." + i), id);
                Element image = images.get(i - 1);
                assertEquals("replica-" + i, text(image, "alias"), id);
                assertEquals("${app.image}", text(image, "name"), id);
                assertEquals("${cluster.bind}:" + port + ":8000", text(image, "run/ports/port"), id);
                assertEquals(port, text(image, "run/env/DOCKERPORT"), id);
                assertTrue(text(image, "run/env/HELLO_SERVICE_TAGS").startsWith("urlprefix-/replica/" + port + "/ "), id);
                assertTrue(text(image, "run/wait/http/url").endsWith("/replica/" + port + "/health"), id);
            }
        }
        assertEquals(List.of("replicas-1", "replicas-4", "replicas-8"), ids);
    }
}
