package dev.streamtree.common.kafka;

import java.io.IOException;
import java.io.Reader;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * How every streamtree Kafka client connects: bootstrap servers plus client properties from an optional
 * file (security.protocol, sasl.*, ssl.*). Secrets stay in that file or in the environment it references;
 * {@link #toString()} never prints property values.
 *
 * @param bootstrapServers comma-separated host:port list
 * @param clientProperties extra client properties, applied to producers, consumers and admin clients
 */
public record KafkaSettings(String bootstrapServers, Map<String, String> clientProperties) implements Serializable {

    /** Keys whose values are never logged. */
    private static final Set<String> SECRET_HINTS = Set.of("password", "secret", "jaas", "key", "token");

    public KafkaSettings {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("Kafka bootstrap servers are empty");
        }
        for (String server : bootstrapServers.split(",")) {
            if (!server.trim().matches("[^:\\s]+:\\d{1,5}")) {
                throw new IllegalArgumentException("bootstrap server '" + server.trim() + "' is not host:port");
            }
        }
        clientProperties = Collections.unmodifiableMap(new LinkedHashMap<>(
                clientProperties == null ? Map.of() : clientProperties));
    }

    public static KafkaSettings of(String bootstrapServers) {
        return new KafkaSettings(bootstrapServers, Map.of());
    }

    /**
     * Reads client properties from a Java properties file; a value written as {@code ${env:NAME}} is read from
     * the environment variable NAME so the file itself can hold no secret.
     *
     * @throws IllegalArgumentException when the file cannot be read or names an unset variable
     */
    public static KafkaSettings withPropertiesFile(String bootstrapServers, Path file) {
        if (file == null) {
            return of(bootstrapServers);
        }
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read Kafka client properties file '" + file + "': " + e.getMessage(), e);
        }
        Map<String, String> resolved = new LinkedHashMap<>();
        for (String name : properties.stringPropertyNames()) {
            resolved.put(name, resolve(name, properties.getProperty(name), System.getenv()));
        }
        return new KafkaSettings(bootstrapServers, resolved);
    }

    static String resolve(String name, String value, Map<String, String> env) {
        if (value.startsWith("${env:") && value.endsWith("}")) {
            String variable = value.substring(6, value.length() - 1);
            String fromEnv = env.get(variable);
            if (fromEnv == null) {
                throw new IllegalArgumentException("Kafka property '" + name + "' refers to environment variable "
                        + variable + ", which is not set");
            }
            return fromEnv;
        }
        return value;
    }

    /** Properties for a Kafka client: bootstrap servers plus the client properties. */
    public Properties toProperties() {
        Properties properties = new Properties();
        properties.putAll(clientProperties);
        properties.put("bootstrap.servers", bootstrapServers);
        return properties;
    }

    public static boolean isSecret(String key) {
        String lower = key.toLowerCase(java.util.Locale.ROOT);
        return SECRET_HINTS.stream().anyMatch(lower::contains);
    }

    @Override
    public String toString() {
        return "KafkaSettings[bootstrapServers=" + bootstrapServers + ", clientProperties=" + clientProperties.keySet() + "]";
    }
}
