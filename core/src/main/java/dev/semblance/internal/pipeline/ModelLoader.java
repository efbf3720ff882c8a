package dev.semblance.internal.pipeline;

import com.google.common.hash.Hashing;
import dev.semblance.ModelException;
import dev.semblance.spi.InferenceBackend;
import dev.semblance.spi.ModelSession;
import dev.semblance.spi.SessionOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Finds the inference backend and loads model bytes, checking their SHA-256. */
public final class ModelLoader {
  private static final Logger log = LoggerFactory.getLogger(ModelLoader.class);
  static final String BACKEND_ARTIFACT = "dev.semblance:semblance-onnx-backend";

  private ModelLoader() {}

  /**
   * The installed backend named by {@code requested} (or the system property {@code
   * semblance.backend}), else the one with the highest priority.
   */
  public static InferenceBackend backend(String requested) {
    String name = requested != null ? requested : System.getProperty("semblance.backend");
    List<InferenceBackend> found = new ArrayList<>();
    ServiceLoader.load(InferenceBackend.class, ModelLoader.class.getClassLoader())
        .forEach(found::add);
    if (found.isEmpty()) {
      throw new ModelException(
          "no inference backend is installed: add the dependency "
              + BACKEND_ARTIFACT
              + " (or another implementation of dev.semblance.spi.InferenceBackend)");
    }
    if (name != null) {
      return found.stream()
          .filter(b -> b.name().equalsIgnoreCase(name))
          .findFirst()
          .orElseThrow(
              () ->
                  new ModelException(
                      "inference backend '"
                          + name
                          + "' is not installed; installed: "
                          + found.stream().map(InferenceBackend::name).toList()));
    }
    InferenceBackend best =
        found.stream().max(Comparator.comparingInt(InferenceBackend::priority)).orElseThrow();
    log.debug("using inference backend {} (of {})", best.name(), found.size());
    return best;
  }

  /** A loaded model and the digest of the bytes it came from. */
  public record Loaded(ModelSession session, String sha256) {}

  public static Loaded load(InferenceBackend backend, ModelSpec spec, SessionOptions options) {
    byte[] bytes = readBytes(spec);
    String digest = Hashing.sha256().hashBytes(bytes).toString();
    if (spec.sha256() != null && !spec.sha256().toLowerCase(Locale.ROOT).equals(digest)) {
      throw new ModelException(
          spec.description()
              + " has SHA-256 "
              + digest
              + " but "
              + spec.sha256()
              + " was expected: the file is damaged or not the declared model");
    }
    return new Loaded(backend.load(bytes, spec.description(), options), digest);
  }

  private static byte[] readBytes(ModelSpec spec) {
    if (spec.file() != null) {
      try {
        return Files.readAllBytes(spec.file());
      } catch (IOException e) {
        throw new ModelException("cannot read " + spec.description() + ": " + e, e);
      }
    }
    ClassLoader loader = ModelLoader.class.getClassLoader();
    try (InputStream in = loader.getResourceAsStream(spec.resource())) {
      if (in == null) {
        throw new ModelException(
            spec.description()
                + " is not on the class path: add the "
                + "dependency "
                + BACKEND_ARTIFACT
                + ", which bundles the default models");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new ModelException("cannot read " + spec.description() + ": " + e, e);
    }
  }
}
