package dev.semblance.spark;

import java.io.Serializable;

/**
 * A gallery row as Spark's bean encoder reads it: the embedding arrives as a {@code float[]},
 * copied straight from Spark's binary row, not element by element through boxed values as a generic
 * {@code Row} gives it (that conversion dominated the sharding of large galleries).
 *
 * <p><b>Thread safety.</b> Not thread-safe; a mutable bean, as the encoder requires.
 */
public final class Template implements Serializable {
  private static final long serialVersionUID = 1L;
  private String identity;
  private float[] embedding;

  public String getIdentity() {
    return identity;
  }

  public void setIdentity(String identity) {
    this.identity = identity;
  }

  public float[] getEmbedding() {
    return embedding;
  }

  public void setEmbedding(float[] embedding) {
    this.embedding = embedding;
  }
}
