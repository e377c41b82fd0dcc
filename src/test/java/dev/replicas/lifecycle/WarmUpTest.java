package dev.replicas.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The warm-up's reading of the JIT's compile queue. */
class WarmUpTest {

    @Test
    void anEmptyQueueWithNothingUnderWayIsNothingPending() {
        assertEquals(0, WarmUp.pendingIn("Current compiles: \n\nC1 compile queue:\nEmpty\n\n"));
        assertEquals(0, WarmUp.pendingIn("Current compiles: \n\nC1 compile queue:\nEmpty\n\nC2 compile queue:\nEmpty\n\n"));
    }

    @Test
    void methodsUnderWayAndQueuedAreCounted() {
        assertEquals(3, WarmUp.pendingIn("""
                Current compiles:\s
                C1 CompilerThread0  11164       1       org.jboss.resteasy.plugins.server.servlet.HttpServletDispatcher::service (13 bytes)

                C1 compile queue:
                11165       1       org.jboss.weld.module.web.servlet.WeldInitialListener::requestInitialized (93 bytes)
                11166       1       com.ibm.ws.http.channel.internal.HttpServiceContextImpl::init (120 bytes)

                C2 compile queue:
                Empty

                """));
    }

    @Test
    void thisJvmCanSay() {
        // The same HotSpot diagnostic command the replica's JVM answers; -1 would mean it cannot.
        assertTrue(WarmUp.compilesPending() >= 0);
    }
}
