package dev.semblance;

import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A face was refused by a {@link QualityPolicy}; {@link #reasons()} names every rule it broke.
 *
 * <p><b>Thread safety.</b> Immutable.
 */
public final class FaceRejectedException extends SemblanceException {
  private static final long serialVersionUID = 1L;

  @SuppressWarnings("serial") // an immutable List.copyOf list
  private final List<String> reasons;

  @SuppressWarnings("serial") // an unmodifiable copy of an EnumSet
  private final Set<QualityPolicy.Rule> rules;

  public FaceRejectedException(String message, List<String> reasons) {
    this(message, reasons, Set.of());
  }

  public FaceRejectedException(
      String message, List<String> reasons, Set<QualityPolicy.Rule> rules) {
    super(message);
    this.reasons = List.copyOf(reasons);
    this.rules = rules.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(rules));
  }

  /** Each broken rule, e.g. {@code "yaw 41° > 30°"}. */
  public List<String> reasons() {
    return reasons;
  }

  /** The rules broken, each once, in their declared order: for counting refusals by reason. */
  public Set<QualityPolicy.Rule> rules() {
    return rules;
  }
}
