package dev.replicas.discovery;

import java.util.regex.Pattern;

/** Host names and addresses as they may appear in this service's configuration and URLs. */
public final class Hosts {

    private static final Pattern NAME_OR_IPV4 = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,252}[A-Za-z0-9])?");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

    private Hosts() {
    }

    /**
     * @param host a host name or address
     * @return whether {@code host} is a plausible DNS name, IPv4 or IPv6 address (no brackets)
     */
    public static boolean isValid(String host) {
        return host != null && (NAME_OR_IPV4.matcher(host).matches() || host.contains(":") && IPV6.matcher(host).matches());
    }

    /**
     * @param host a host name or address
     * @return the host as it goes into a URL: IPv6 addresses in brackets
     */
    public static String forUrl(String host) {
        return host.contains(":") ? "[" + host + "]" : host;
    }
}
