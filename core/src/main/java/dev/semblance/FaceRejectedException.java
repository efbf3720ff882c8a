package dev.semblance;

import java.util.List;

/**
 * A face was refused by a {@link QualityPolicy}; {@link #reasons()} names every rule it broke.
 *
 * <p><b>Thread safety.</b> Immutable.
 */
public final class FaceRejectedException extends SemblanceException {
  private static final long serialVersionUID = 1L;

  @SuppressWarnings("serial") // an immutable List.copyOf list
  private final List<String> reasons;

  public FaceRejectedException(String message, List<String> reasons) {
    super(message);
    this.reasons = List.copyOf(reasons);
  }

  /** Each broken rule, e.g. {@code "yaw 41° > 30°"}. */
  public List<String> reasons() {
    return reasons;
  }
}
