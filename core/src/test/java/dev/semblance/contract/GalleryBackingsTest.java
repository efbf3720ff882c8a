package dev.semblance.contract;

import dev.semblance.Durability;
import dev.semblance.Gallery;
import dev.semblance.testing.MemoryTemplateStore;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import org.junit.jupiter.api.Nested;

/** The gallery contract over every backing that core has; the OpenSearch store runs it too. */
class GalleryBackingsTest {
  @Nested
  class InMemory extends GalleryContract {
    @Override
    protected Gallery newGallery() {
      return Gallery.create(EMBEDDER, DIM);
    }

    @Override
    protected Gallery reopen(Gallery gallery) {
      return null;
    }
  }

  @Nested
  class InADirectory extends GalleryContract {
    private Path directory() {
      return temp.resolve("gallery");
    }

    @Override
    protected Gallery newGallery() {
      return Gallery.directory(directory())
          .embedder(EMBEDDER, DIM)
          .durability(Durability.GROUP_COMMIT)
          .open();
    }

    @Override
    protected Gallery reopen(Gallery gallery) {
      gallery.close();
      return newGallery();
    }
  }

  @Nested
  class InAnEncryptedDirectory extends GalleryContract {
    private final SecretKey key = aesKey();

    @Override
    protected Gallery newGallery() {
      return Gallery.directory(temp.resolve("sealed"))
          .embedder(EMBEDDER, DIM)
          .durability(Durability.EVERY_OPERATION)
          .encryptionKey(key)
          .open();
    }

    @Override
    protected Gallery reopen(Gallery gallery) {
      gallery.close();
      return newGallery();
    }
  }

  @Nested
  class OverAStore extends GalleryContract {
    private MemoryTemplateStore store;

    @Override
    protected Gallery newGallery() {
      store = new MemoryTemplateStore(EMBEDDER, DIM, 2);
      return Gallery.over(store);
    }

    @Override
    protected Gallery reopen(Gallery gallery) {
      gallery.close(); // the map outlives the connection, as an index outlives its client
      return Gallery.over(store);
    }
  }

  private static SecretKey aesKey() {
    try {
      KeyGenerator generator = KeyGenerator.getInstance("AES");
      generator.init(256);
      return generator.generateKey();
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
