package dev.semblance.server;

import java.util.Locale;

/**
 * What an API key may do. Keys are given the least role that serves their client: a door camera
 * needs {@link #RECOGNIZE}; a back-office search tool {@link #IDENTIFY}; only the tool that enrols
 * people needs {@link #ADMIN}.
 *
 * <p><b>Thread safety.</b> Immutable.
 */
public enum Role {
  /**
   * Detect, recognize and verify, answered with the decision only: the subject a face matched (or
   * unknown), never a ranked list, and never whether a name it did not match is enrolled.
   */
  RECOGNIZE,
  /** Everything {@link #RECOGNIZE} may, answered in full: ranked candidates with similarities. */
  IDENTIFY,
  /** Everything {@link #IDENTIFY} may, and create, rename and delete subjects and their faces. */
  ADMIN;

  /** The name used on the command line and in the key file, e.g. {@code recognize}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Whether a key of this role may call an endpoint that needs {@code needed}. */
  public boolean allows(Role needed) {
    return compareTo(needed) >= 0; // each role may do all that the ones before it may
  }

  /**
   * The role called {@code label}, in any case.
   *
   * @throws IllegalArgumentException naming the roles there are
   */
  public static Role of(String label) {
    for (Role role : values()) {
      if (role.label().equalsIgnoreCase(label.trim())) {
        return role;
      }
    }
    throw new IllegalArgumentException(
        "unknown role '"
            + label
            + "': use "
            + RECOGNIZE.label()
            + ", "
            + IDENTIFY.label()
            + " or "
            + ADMIN.label());
  }
}
