package dev.semblance.server.internal;

import dev.semblance.server.ApiKeys;
import dev.semblance.server.ApiKeys.Refusal;
import dev.semblance.server.Role;
import io.javalin.http.Context;
import io.micrometer.core.instrument.Counter;

/**
 * Who may call an endpoint: the API key presented (header {@code X-Api-Key} or a bearer token), its
 * role, and its share of the rate limit. A refusal is an {@link ApiError} whose code is chosen by
 * the typed reason, never made from a message.
 *
 * <p>Thread-safe.
 */
final class AccessControl {
  private static final String KEY_ATTRIBUTE = "semblance.key";
  private static final String ROLE_ATTRIBUTE = "semblance.role";

  private final ApiKeys keys;
  private final RateLimiter limiter;
  private final Counter rateLimited;

  AccessControl(ApiKeys keys, RateLimiter limiter, Counter rateLimited) {
    this.keys = keys;
    this.limiter = limiter;
    this.rateLimited = rateLimited;
  }

  /**
   * Admits the request if its key is live, allowed {@code needed} and within its rate, and records
   * its key and role for the handler and the audit log; else throws the refusal (401, 403 or 429).
   */
  void admit(Context ctx, Role needed) {
    String presented = ctx.header("X-Api-Key");
    String bearer = ctx.header("Authorization");
    if (presented == null && bearer != null && bearer.regionMatches(true, 0, "Bearer ", 0, 7)) {
      presented = bearer.substring(7);
    }
    ApiKeys.Check check = keys.authenticate(presented);
    if (check.key().isEmpty()) {
      throw new ApiError(
          401,
          code(check.refusal()),
          check.refusal().message() + ": send it in the X-Api-Key header");
    }
    ApiKeys.KeyInfo key = check.key().get();
    if (!key.role().allows(needed)) {
      throw new ApiError(
          403,
          "forbidden",
          "a "
              + key.role().label()
              + " key may not call this endpoint; it needs "
              + needed.label());
    }
    long wait = limiter.secondsToWait(key.id());
    if (wait > 0) {
      rateLimited.increment();
      ctx.header("Retry-After", String.valueOf(wait));
      throw new ApiError(
          429, "rate_limited", "too many requests for this key; retry in " + wait + " s");
    }
    ctx.attribute(KEY_ATTRIBUTE, key.id());
    ctx.attribute(ROLE_ATTRIBUTE, key.role());
  }

  private static String code(Refusal refusal) {
    return switch (refusal) {
      case MISSING -> "missing_key";
      case UNKNOWN -> "invalid_key";
      case REVOKED -> "revoked_key";
    };
  }

  /** The id of the key that made an admitted request, for the audit log. */
  static String keyId(Context ctx) {
    return ctx.attribute(KEY_ATTRIBUTE);
  }

  /** Whether the admitted request's key may see what {@code role} may (ranked candidates, …). */
  static boolean mayAct(Context ctx, Role role) {
    Role held = ctx.attribute(ROLE_ATTRIBUTE);
    return held != null && held.allows(role);
  }
}
