package dev.semblance.server.internal;

import io.javalin.http.Context;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per change to the gallery, in logfmt: {@code action="enrol" subject="…" image_id="…"
 * key="…" from="…"}. Every value is quoted with its quotes, backslashes and control characters
 * escaped, so a subject's name cannot forge fields or lines. The client's address is the peer's,
 * or, when the peer is a trusted reverse proxy, the nearest untrusted one in {@code
 * X-Forwarded-For}.
 *
 * <p>Thread-safe.
 */
final class AuditLog {
  private static final Logger log = LoggerFactory.getLogger("dev.semblance.server.audit");

  private final Set<String> trustedProxies;

  AuditLog(List<String> trustedProxies) {
    this.trustedProxies = Set.copyOf(trustedProxies);
  }

  /** Logs {@code action} by the request's key and client, with {@code fields} as name, value. */
  void record(Context ctx, String action, Object... fields) {
    Object[] all = new Object[fields.length + 6];
    all[0] = "action";
    all[1] = action;
    System.arraycopy(fields, 0, all, 2, fields.length);
    all[all.length - 4] = "key";
    all[all.length - 3] = AccessControl.keyId(ctx);
    all[all.length - 2] = "from";
    all[all.length - 1] =
        client(ctx.req().getRemoteAddr(), ctx.header("X-Forwarded-For"), trustedProxies);
    log.info("{}", line(all));
  }

  /** {@code name="value"} pairs, values quoted and escaped. */
  static String line(Object... namesAndValues) {
    StringBuilder line = new StringBuilder();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      if (i > 0) {
        line.append(' ');
      }
      line.append(namesAndValues[i])
          .append('=')
          .append(quoted(String.valueOf(namesAndValues[i + 1])));
    }
    return line.toString();
  }

  /** The client's address: the peer's, unless the peer is a proxy this server trusts. */
  static String client(String peer, String forwarded, Set<String> trustedProxies) {
    if (forwarded == null || !trustedProxies.contains(peer)) {
      return peer;
    }
    // Each proxy appends whom it heard from: read from the right, past the proxies we trust.
    String[] hops = forwarded.split(",");
    for (int i = hops.length - 1; i >= 0; i--) {
      String hop = hops[i].trim();
      if (!trustedProxies.contains(hop) || i == 0) {
        return hop.isEmpty() ? peer : hop;
      }
    }
    return peer;
  }

  /** {@code text} in double quotes, escaped as in JSON strings. */
  static String quoted(String text) {
    StringBuilder out = new StringBuilder(text.length() + 2).append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029') {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }
}
