package dev.semblance.opensearch;

import dev.semblance.Gallery;
import dev.semblance.contract.GalleryContract;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** The gallery contract over an index of a real OpenSearch node, one new index per test. */
class OpenSearchGalleryContractTest extends GalleryContract {
  @TempDir static Path home;
  private static TestCluster cluster;
  private static final AtomicInteger indexes = new AtomicInteger();
  private String index;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = TestCluster.start(home);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  private OpenSearchGallery.Builder builder() {
    return OpenSearchGallery.builder(cluster.client(), index)
        .embedder(EMBEDDER, DIM)
        .shards(1, 0)
        .forceRefresh(true);
  }

  @Override
  protected Gallery newGallery() {
    index = "contract-" + indexes.incrementAndGet();
    return builder().create();
  }

  @Override
  protected Gallery reopen(Gallery gallery) {
    gallery.close();
    return builder().open();
  }
}
