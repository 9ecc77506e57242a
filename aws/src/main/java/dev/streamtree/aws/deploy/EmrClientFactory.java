package dev.streamtree.aws.deploy;

import dev.streamtree.aws.emr.EmrDeployConfig;
import java.net.URI;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.emr.EmrClient;

/** Makes the EMR client {@code deploy emr} sends its requests with. */
@FunctionalInterface
public interface EmrClientFactory {

    /** A client for the config's region (and endpoint override, if any); the caller closes it. */
    EmrClient create(EmrDeployConfig config);

    /**
     * The production factory: credentials only from the SDK's default chain (environment, system properties,
     * web identity, the shared profile files, container or instance role), never from the config file.
     */
    static EmrClientFactory defaultChain() {
        return config -> {
            var builder = EmrClient.builder()
                    .region(Region.of(config.region()))
                    .credentialsProvider(DefaultCredentialsProvider.builder().build())
                    .httpClient(UrlConnectionHttpClient.create());
            if (config.endpointOverride() != null) {
                builder.endpointOverride(URI.create(config.endpointOverride()));
            }
            return builder.build();
        };
    }
}
