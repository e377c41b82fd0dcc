package dev.replicas.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.google.common.net.HostAndPort;
import com.google.common.net.InetAddresses;
import com.google.common.net.InternetDomainName;

/**
 * Where the Consul agent's HTTP API is, as Consul's own tools read {@code CONSUL_HTTP_ADDR}:
 * {@code host}, {@code host:port}, or a URL {@code http(s)://host[:port]}; the port defaults to
 * 8500 (Consul's) and the scheme to http.
 *
 * @param url the agent's base URL, e.g. {@code http://consul:8500} or {@code http://[::1]:8500}
 */
public record ConsulAddress(String url) {

    private static final String FORMS = "; expected host:port or http(s)://host:port";
    /** An optional scheme, then host[:port] (IPv6 in brackets) and at most a slash: no path, query or user. */
    private static final Pattern FORM = Pattern.compile("(?:([^:/?#@]*)://)?([^/?#@]*)/?");

    /** @return whether {@code host} is a valid DNS name, or an IPv4 or IPv6 address (without brackets) */
    public static boolean isHost(String host) {
        return InetAddresses.isInetAddress(host) || InternetDomainName.isValid(host);
    }

    /** Makes {@code CONSUL_HTTP_ADDR} into an address, or says what is wrong with it. */
    public static class Converter implements org.eclipse.microprofile.config.spi.Converter<ConsulAddress> {
        @Override
        public ConsulAddress convert(String value) {
            Matcher m = FORM.matcher(value == null ? "" : value.trim());
            if (!m.matches()) {
                throw new BadValueException("has a path, query or user part" + FORMS);
            }
            String scheme = m.group(1) == null ? "http" : m.group(1).toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                throw new BadValueException("has scheme '" + m.group(1) + "'; expected http or https");
            }
            HostAndPort parsed;
            try {
                parsed = HostAndPort.fromString(m.group(2)).withDefaultPort(8500);
            } catch (IllegalArgumentException e) {
                throw new BadValueException("has no valid host name or port" + FORMS);
            }
            if (!isHost(parsed.getHost())) {
                throw new BadValueException((m.group(2).isEmpty() ? "is empty" : "has no valid host name") + FORMS);
            }
            if (parsed.getPort() < 1) {
                throw new BadValueException("has port " + parsed.getPort() + "; expected 1-65535");
            }
            return new ConsulAddress(scheme + "://" + parsed);
        }
    }
}
