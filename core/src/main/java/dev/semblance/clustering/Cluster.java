package dev.semblance.clustering;

import java.util.List;
import java.util.Optional;

/**
 * One cluster of faces: presumably one person.
 *
 * <p><b>Thread safety.</b> Immutable.
 *
 * @param id stable while the cluster exists; when two clusters join, the named or bigger one's id
 *     is kept
 * @param name the name given to it, if any
 * @param faces the ids of its faces, as returned by {@link FaceClusters#add}, ascending
 */
public record Cluster(int id, Optional<String> name, List<Integer> faces) {
  public Cluster {
    faces = List.copyOf(faces);
  }

  public int size() {
    return faces.size();
  }
}
