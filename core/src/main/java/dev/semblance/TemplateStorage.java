package dev.semblance;

/**
 * How a {@link Gallery} keeps its templates for scanning ({@link GalleryOptions#storage()}). Every
 * storage answers exactly as {@link #FLOAT32} would: a quantised scan only shortlists, with a
 * proven bound on its error, and the shortlist is re-ranked on the float32 templates, which are
 * always kept. Quantised storage therefore costs memory ({@link #FLOAT16} +50%, {@link #INT8} +25%
 * over float32) and buys speed, since a scan reads two or four times fewer bytes.
 */
public enum TemplateStorage {
  /** Scan the float32 templates themselves: 4 bytes per dimension. */
  FLOAT32,
  /** Scan IEEE half-precision copies: 2 bytes per dimension read. */
  FLOAT16,
  /** Scan 8-bit copies with one scale per template: 1 byte per dimension read. */
  INT8
}
