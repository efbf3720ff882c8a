package dev.semblance.examples;

import dev.semblance.io.DurableFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.List;

/**
 * A self-contained HTML report: inline CSS, plots as embedded PNG, no external scripts or fonts. A
 * small inline script marks {@code <body data-plots="ok:N">} once every plot has decoded, so a
 * headless browser can check that the page rendered.
 */
final class Report {
  private final StringBuilder body = new StringBuilder();
  private final String title;

  Report(String title, String command, String embedderId) {
    this.title = title;
    body.append("<h1>")
        .append(escape(title))
        .append("</h1>\n<table class=\"meta\">")
        .append(row("command", "<code>" + escape(command) + "</code>"))
        .append(row("model", escape(embedderId)))
        .append(
            row(
                "metric",
                "cosine similarity of L2-normalised embeddings; accept when similarity &ge; threshold"))
        .append(row("Semblance", escape(Cli.Version.number())))
        .append(
            row(
                "written",
                escape(
                    ZonedDateTime.now(ZoneId.systemDefault())
                        .format(DateTimeFormatter.ISO_OFFSET_DATE_TIME))))
        .append("</table>\n");
  }

  Report section(String heading) {
    body.append("<h2>").append(escape(heading)).append("</h2>\n");
    return this;
  }

  Report paragraph(String text) {
    body.append("<p>").append(escape(text)).append("</p>\n");
    return this;
  }

  Report table(List<String> header, List<List<String>> rows) {
    body.append("<table><tr>");
    header.forEach(h -> body.append("<th>").append(escape(h)).append("</th>"));
    body.append("</tr>\n");
    for (List<String> r : rows) {
      body.append("<tr>");
      r.forEach(c -> body.append("<td>").append(escape(c)).append("</td>"));
      body.append("</tr>\n");
    }
    body.append("</table>\n");
    return this;
  }

  Report plot(String caption, byte[] png) {
    body.append("<figure><img class=\"plot\" width=\"")
        .append(Charts.WIDTH)
        .append("\" height=\"")
        .append(Charts.HEIGHT)
        .append("\" alt=\"")
        .append(escape(caption))
        .append("\" src=\"data:image/png;base64,")
        .append(Base64.getEncoder().encodeToString(png))
        .append("\"><figcaption>")
        .append(escape(caption))
        .append("</figcaption></figure>\n");
    return this;
  }

  void write(Path file) {
    writePage(
        file,
        title,
        "body{font-family:sans-serif;max-width:980px;margin:2em auto;color:#222}"
            + "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}"
            + "th{background:#f3f3f3}table.meta td:first-child{font-weight:bold}code{font-size:90%}"
            + "figure{margin:1em 0}figcaption{color:#555;font-size:90%}",
        body,
        "plot",
        "data-plots");
  }

  /**
   * Writes a self-contained page: inline CSS, images inline, and a small inline script that sets
   * {@code <body marker="ok:N">} once all N images of class {@code imageClass} have decoded (or
   * {@code "broken:N"}), so that a headless browser can check that the page rendered.
   */
  static void writePage(
      Path file, String title, String css, CharSequence body, String imageClass, String marker) {
    String html =
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            + "<title>"
            + escape(title)
            + "</title><style>"
            + css
            + "</style></head>\n<body>\n"
            + body
            + "<script>window.addEventListener('load',function(){var p=document.querySelectorAll('img."
            + imageClass
            + "'),ok=0;p.forEach(function(i){if(i.complete&&i.naturalWidth>0)ok++;});"
            + "document.body.setAttribute('"
            + marker
            + "',(ok===p.length?'ok:':'broken:')+ok);});</script>\n"
            + "</body></html>\n";
    DurableFiles.replace(file, out -> out.write(html.getBytes(StandardCharsets.UTF_8)));
  }

  /** Writes the figures as JSON beside the report. */
  static void writeJson(Path file, Object figures) {
    DurableFiles.replace(
        file, out -> out.write(Json.write(figures).getBytes(StandardCharsets.UTF_8)));
  }

  private static String row(String key, String valueHtml) {
    return "<tr><td>" + escape(key) + "</td><td>" + valueHtml + "</td></tr>";
  }

  static String escape(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
