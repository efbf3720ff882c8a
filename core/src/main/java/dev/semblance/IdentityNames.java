package dev.semblance;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Objects;

/**
 * The rule for a person's name, wherever one is given (a gallery identity, a cluster's name that
 * may be enrolled, a subject of the service): not blank, at most {@value #MAX_LENGTH} characters,
 * no control characters. Check names where they come in, so that a refusal names the rule before
 * anything is stored.
 *
 * <p><b>Thread safety.</b> Stateless.
 */
public final class IdentityNames {
  /** The longest name, in UTF-16 code units. */
  public static final int MAX_LENGTH = 256;

  private IdentityNames() {}

  /**
   * Throws unless {@code name} follows the rule.
   *
   * @param what what the name is called in the message, e.g. "identity"
   * @throws IllegalArgumentException naming the broken rule
   * @throws NullPointerException if the name is null
   */
  public static void check(String name, String what) {
    Objects.requireNonNull(name, what);
    checkArgument(!name.isBlank(), "%s must not be blank", what);
    checkArgument(name.length() <= MAX_LENGTH, "%s is longer than %s characters", what, MAX_LENGTH);
    checkArgument(
        name.chars().noneMatch(Character::isISOControl),
        "%s must not contain control characters: '%s'",
        what,
        name);
  }
}
