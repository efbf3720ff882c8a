package dev.semblance.opensearch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.hc.core5.http.HttpHost;
import org.opensearch.client.json.jackson.JacksonJsonpMapper;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch._types.HealthStatus;
import org.opensearch.client.transport.OpenSearchTransport;
import org.opensearch.client.transport.httpclient5.ApacheHttpClient5TransportBuilder;
import org.opensearch.common.logging.LogConfigurator;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.plugins.Plugin;

/**
 * A real single-node OpenSearch 2.19 cluster with the k-NN plugin, inside the test JVM, on
 * loopback; stoppable and restartable on the same data directory. The k-NN plugin's jars come from
 * its distribution zip, unpacked by the build onto the test class path.
 */
final class TestCluster implements AutoCloseable {
  private final Path home;
  private final int httpPort;
  private final int transportPort;
  private Node node;
  private OpenSearchTransport transport;
  private OpenSearchClient client;

  private TestCluster(Path home) throws IOException {
    this.home = home;
    this.httpPort = freePort();
    this.transportPort = freePort();
  }

  /** Starts a node keeping its data under {@code home} and waits until it is green. */
  static TestCluster start(Path home) throws Exception {
    TestCluster cluster = new TestCluster(home);
    cluster.startNode();
    return cluster;
  }

  OpenSearchClient client() {
    return client;
  }

  /** The node's HTTP address, for clients in other JVMs. */
  java.net.URI address() {
    return java.net.URI.create("http://127.0.0.1:" + httpPort);
  }

  /** Stops the node, as a crash of the cluster looks to a client (its data stays). */
  void stop() throws Exception {
    node.close();
    node.awaitClose(30, TimeUnit.SECONDS);
    node = null;
  }

  /** Starts the node again on the same data and port. */
  void restart() throws Exception {
    if (node != null) {
      stop();
    }
    startNode();
  }

  private void startNode() throws Exception {
    Settings settings =
        Settings.builder()
            .put("cluster.name", "semblance-test")
            .put("node.name", "node-0")
            .put("path.home", home.toString())
            .put("path.data", home.resolve("data").toString())
            .put("path.logs", home.resolve("logs").toString())
            .put("network.host", "127.0.0.1")
            .put("http.port", httpPort)
            .put("transport.port", transportPort)
            .put("discovery.type", "single-node")
            // A full CI disk must not turn the test index read-only.
            .put("cluster.routing.allocation.disk.threshold_enabled", false)
            .put("logger.level", "WARN")
            .build();
    LogConfigurator.configureWithoutConfig(settings);
    Environment environment =
        InternalSettingsPreparer.prepareEnvironment(settings, Map.of(), null, () -> "node-0");
    node = new PluggedNode(environment, plugins()).start();
    if (client == null) {
      transport =
          ApacheHttpClient5TransportBuilder.builder(new HttpHost("http", "127.0.0.1", httpPort))
              .setMapper(new JacksonJsonpMapper())
              .build();
      client = new OpenSearchClient(transport);
    }
    client.cluster().health(h -> h.waitForStatus(HealthStatus.Green).timeout(t -> t.time("60s")));
  }

  @SuppressWarnings("unchecked")
  private static List<Class<? extends Plugin>> plugins() throws ClassNotFoundException {
    return List.of(
        org.opensearch.transport.Netty4Plugin.class,
        org.opensearch.painless.PainlessPlugin.class,
        (Class<? extends Plugin>) Class.forName("org.opensearch.knn.plugin.KNNPlugin"));
  }

  @Override
  public void close() throws Exception {
    if (node != null) {
      stop();
    }
    if (transport != null) {
      transport.close();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A node with plugins given as classes, as OpenSearch's own integration tests build them. */
  private static final class PluggedNode extends Node {
    PluggedNode(Environment environment, Collection<Class<? extends Plugin>> plugins) {
      super(environment, plugins, true);
    }
  }
}
