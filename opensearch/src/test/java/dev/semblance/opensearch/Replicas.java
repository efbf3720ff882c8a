package dev.semblance.opensearch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.semblance.testing.ChildJvm;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Replicas of the service over index "staff", each a {@link ReplicaChild} in its own JVM. */
final class Replicas {
  private Replicas() {}

  /** Starts replica {@code name}; its keys are {@code dir}/api-keys.tsv, its log and port there. */
  static Process start(TestCluster cluster, Path dir, String name, String... jvmOptions)
      throws Exception {
    List<String> command = new ArrayList<>(List.of(ChildJvm.java()));
    command.addAll(List.of(jvmOptions));
    command.addAll(
        List.of(
            "-cp",
            ChildJvm.classPath(),
            ReplicaChild.class.getName(),
            cluster.address().toString(),
            "staff",
            dir.toString(),
            dir.resolve("port-" + name).toString()));
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("replica-" + name + ".log").toFile())
        .start();
  }

  /** The address of replica {@code name} once it listens; fails if it dies or takes too long. */
  static URI await(Process child, Path dir, String name, Duration timeout) throws Exception {
    Path portFile = dir.resolve("port-" + name);
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!Files.exists(portFile)) {
      assertThat(child.isAlive())
          .as("replica %s: %s", name, Files.readString(dir.resolve("replica-" + name + ".log")))
          .isTrue();
      assertThat(System.nanoTime()).as("replica %s started in time", name).isLessThan(deadline);
      Thread.sleep(50);
    }
    return URI.create("http://127.0.0.1:" + Files.readString(portFile).trim() + "/");
  }
}
