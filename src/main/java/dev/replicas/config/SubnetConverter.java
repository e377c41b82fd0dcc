package dev.replicas.config;

import org.eclipse.microprofile.config.spi.Converter;

/** MicroProfile Config's way to {@link Subnet}: {@link Subnet#parse}. */
public class SubnetConverter implements Converter<Subnet> {

    @Override
    public Subnet convert(String value) {
        return Subnet.parse(value);
    }
}
