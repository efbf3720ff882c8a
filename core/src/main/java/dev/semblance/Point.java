package dev.semblance;

/**
 * A point in image pixel coordinates (x to the right, y down, origin at the top-left corner of the
 * top-left pixel).
 *
 * <p><b>Thread safety.</b> Immutable.
 */
public record Point(float x, float y) {}
