package dev.replicas.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

import com.google.common.net.InetAddresses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SubnetTest {

    private static InetAddress ip(String literal) {
        return InetAddresses.forString(literal);
    }

    @Test
    void picksTheAddressInTheSubnetWhateverTheOrderOfTheInterfaces() {
        Subnet overlay = Subnet.of("10.42.0.0/24");
        List<InetAddress> task = List.of(ip("172.18.0.3"), ip("10.0.0.7"), ip("10.42.0.6"), ip("fe80::1"));
        assertEquals(Optional.of(ip("10.42.0.6")), overlay.pick(task));
        assertEquals(Optional.empty(), Subnet.of("10.43.0.0/24").pick(task));
    }

    @Test
    void hostBitsAreCleared() {
        Subnet s = Subnet.of(" 10.42.0.77/16 ");
        assertEquals("10.42.0.0/16", s.toString());
        assertTrue(s.contains(ip("10.42.255.1")));
        assertFalse(s.contains(ip("10.43.0.1")));
    }

    @Test
    void prefixesThatAreNotWholeBytes() {
        Subnet s = Subnet.of("192.168.1.128/25");
        assertTrue(s.contains(ip("192.168.1.200")));
        assertFalse(s.contains(ip("192.168.1.127")));
        assertTrue(Subnet.of("0.0.0.0/0").contains(ip("8.8.8.8")));
        assertTrue(Subnet.of("10.1.2.3/32").contains(ip("10.1.2.3")));
    }

    @Test
    void ipv6() {
        Subnet s = Subnet.of("fd00:42::/64");
        assertTrue(s.contains(ip("fd00:42::1:2")));
        assertFalse(s.contains(ip("fd00:43::1")));
        assertFalse(s.contains(ip("10.42.0.1")), "an IPv4 address is never in an IPv6 subnet");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "10.42.0.0      | is not a subnet such as 10.42.0.0/24",
            "overlay/24     | is not a subnet such as 10.42.0.0/24",
            "10.42.0/24     | is not a subnet such as 10.42.0.0/24",
            "10.42.0.0/x    | is not a subnet such as 10.42.0.0/24",
            "10.42.0.0/33   | has a prefix longer than 32 bits",
            "fd00::/129     | has a prefix longer than 128 bits",
    })
    void badValuesSayWhatIsWrong(String value, String message) {
        assertEquals(message, assertThrows(BadValueException.class, () -> Subnet.of(value)).getMessage());
    }
}
