package dev.semblance.graph;

import dev.semblance.Gallery;
import dev.semblance.contract.GalleryContract;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/** The gallery contract over a graph gallery, one new directory per gallery. */
class GraphGalleryContractTest extends GalleryContract {
  private final AtomicInteger galleries = new AtomicInteger();
  private Path directory;

  private GraphGallery.Builder builder() {
    return GraphGallery.builder(directory).embedder(EMBEDDER, DIM);
  }

  @Override
  protected Gallery newGallery() {
    directory = temp.resolve("gallery-" + galleries.incrementAndGet());
    return builder().create();
  }

  @Override
  protected Gallery reopen(Gallery gallery) {
    gallery.close();
    return builder().open();
  }
}
