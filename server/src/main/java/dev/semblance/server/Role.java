package dev.semblance.server;

import java.util.Locale;

/**
 * What an API key may do. Keys are given the least role that serves their client: a door camera
 * needs {@link #RECOGNIZE}; only the tool that enrols people needs {@link #ADMIN}.
 *
 * <p><b>Thread safety.</b> Immutable.
 */
public enum Role {
  /** Detect, recognize and verify: reads the gallery through searches only. */
  RECOGNIZE,
  /** Everything {@link #RECOGNIZE} may, and create, rename and delete subjects and their faces. */
  ADMIN;

  /** The name used on the command line and in the key file: {@code recognize} or {@code admin}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Whether a key of this role may call an endpoint that needs {@code needed}. */
  public boolean allows(Role needed) {
    return this == ADMIN || this == needed;
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
        "unknown role '" + label + "': use " + RECOGNIZE.label() + " or " + ADMIN.label());
  }
}
