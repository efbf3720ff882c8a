package dev.semblance.examples;

import dev.semblance.FaceQuality;

/** A face's quality as flat columns, in one order for every file the CLI writes or reads. */
final class QualityColumns {
  static final String[] NAMES = {
    "quality",
    "inter_ocular_px",
    "sharpness",
    "brightness",
    "contrast",
    "yaw",
    "pitch",
    "roll",
    "left_eye_open",
    "right_eye_open",
    "embedding_norm"
  };

  private QualityColumns() {}

  static float[] values(FaceQuality q) {
    return new float[] {
      q.score(),
      q.interOcularDistance(),
      q.sharpness(),
      q.brightness(),
      q.contrast(),
      q.yaw(),
      q.pitch(),
      q.roll(),
      q.leftEyeOpen(),
      q.rightEyeOpen(),
      q.embeddingNorm()
    };
  }

  /** The quality from {@code NAMES.length} values at {@code offset}, in the order of NAMES. */
  static FaceQuality parse(float[] v, int offset) {
    return new FaceQuality(
        v[offset + 1],
        v[offset + 2],
        v[offset + 3],
        v[offset + 4],
        v[offset + 5],
        v[offset + 6],
        v[offset + 7],
        v[offset + 8],
        v[offset + 9],
        v[offset + 10],
        v[offset]);
  }
}
