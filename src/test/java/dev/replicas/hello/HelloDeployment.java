package dev.replicas.hello;

import java.io.File;

import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/**
 * The war that Maven built, as Arquillian deploys it: the real artifact, not a hand-picked subset.
 * Its name, hello.war, makes its context root /hello.
 */
public final class HelloDeployment {

    private HelloDeployment() {
    }

    /**
     * @return target/hello.war as a ShrinkWrap archive
     */
    public static WebArchive war() {
        File war = new File(System.getProperty("hello.war", "target/hello.war"));
        return ShrinkWrap.createFromZipFile(WebArchive.class, war);
    }
}
