package dev.replicas.config;

import org.eclipse.microprofile.config.spi.Converter;

/** MicroProfile Config's way to {@link ConsulAddress}: {@link ConsulAddress#parse}. */
public class ConsulAddressConverter implements Converter<ConsulAddress> {

    @Override
    public ConsulAddress convert(String value) {
        return ConsulAddress.parse(value);
    }
}
