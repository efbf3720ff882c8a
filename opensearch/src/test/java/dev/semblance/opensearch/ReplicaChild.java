package dev.semblance.opensearch;

import dev.semblance.Encoder;
import dev.semblance.Gallery;
import dev.semblance.server.ApiKeys;
import dev.semblance.server.SemblanceServer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A replica of the service in its own JVM for {@link ReplicatedServersTest}: serves the gallery in
 * index {@code args[1]} of the cluster at {@code args[0]}, with the keys of {@code
 * args[2]}/api-keys.tsv, on a free port written to {@code args[3]} once listening; runs until
 * killed.
 */
public final class ReplicaChild {
  private ReplicaChild() {}

  public static void main(String[] args) throws Exception {
    OpenSearchConnection cluster = OpenSearchConnection.to(URI.create(args[0])).open();
    Encoder encoder = Encoder.builder().quality(true).build();
    Gallery gallery =
        OpenSearchGallery.builder(cluster.client(), args[1]).embedder(encoder).openOrCreate();
    SemblanceServer server =
        SemblanceServer.builder(encoder, gallery, ApiKeys.open(Path.of(args[2], "api-keys.tsv")))
            .port(0)
            .rateLimit(0, 1)
            .start();
    Path portFile = Path.of(args[3]);
    Path temp = portFile.resolveSibling(portFile.getFileName() + ".tmp");
    Files.writeString(temp, String.valueOf(server.port()), StandardCharsets.US_ASCII);
    Files.move(temp, portFile, StandardCopyOption.ATOMIC_MOVE);
    server.awaitStop();
  }
}
