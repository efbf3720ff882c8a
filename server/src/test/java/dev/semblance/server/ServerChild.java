package dev.semblance.server;

import dev.semblance.Encoder;
import dev.semblance.Gallery;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A server in its own JVM for {@link ServerCrashTest}: serves the gallery directory and keys of
 * {@code args[0]} on a free port, which it writes to {@code args[1]} once listening; runs until
 * killed.
 */
public final class ServerChild {
  private ServerChild() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    Path portFile = Path.of(args[1]);
    Encoder encoder = Encoder.builder().build();
    Gallery gallery = Gallery.open(dir.resolve("gallery"), encoder);
    SemblanceServer server =
        SemblanceServer.builder(encoder, gallery, ApiKeys.open(dir.resolve("api-keys.tsv")))
            .port(0)
            .rateLimit(0, 1)
            .start();
    Path temp = portFile.resolveSibling(portFile.getFileName() + ".tmp");
    Files.writeString(temp, String.valueOf(server.port()), StandardCharsets.US_ASCII);
    Files.move(temp, portFile, StandardCopyOption.ATOMIC_MOVE);
    server.awaitStop();
  }
}
