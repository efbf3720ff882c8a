package dev.semblance.examples;

import dev.semblance.server.ApiKeys;
import dev.semblance.server.Role;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "keys",
    description = {
      "Manage the API keys of a service folder (see serve). A running server sees changes at once.",
      "  keys add --dir DIR --role recognize|identify|admin --label TEXT   (prints it, once)",
      "  keys list --dir DIR",
      "  keys revoke --dir DIR ID"
    },
    subcommands = {KeysCommand.Add.class, KeysCommand.ListKeys.class, KeysCommand.Revoke.class})
final class KeysCommand {
  /** {@code --dir DIR}: the service folder whose api-keys.tsv is managed. */
  static final class Folder {
    @Option(
        names = "--dir",
        required = true,
        paramLabel = "DIR",
        description = "The service folder.")
    Path dir;

    ApiKeys keys() {
      return ApiKeys.open(dir.resolve("api-keys.tsv"));
    }
  }

  @Command(name = "add", description = "Make a key; it is printed once and kept only as a hash.")
  static final class Add implements Callable<Integer> {
    @picocli.CommandLine.Mixin Folder folder;

    @Option(
        names = "--role",
        required = true,
        paramLabel = "ROLE",
        description =
            "recognize (detect, recognize, verify: decisions only), identify (the same, with"
                + " ranked candidates) or admin (also manage subjects).")
    String role;

    @Option(
        names = "--label",
        required = true,
        paramLabel = "TEXT",
        description = "Who holds the key, e.g. \"door camera\".")
    String label;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      ApiKeys.NewKey key = folder.keys().add(Role.of(role), label);
      spec.commandLine().getOut().println(key.secret());
      spec.commandLine()
          .getErr()
          .println(
              "semblance: key "
                  + key.info().id()
                  + " ("
                  + key.info().role().label()
                  + ") made; it is shown only now: give it to its client");
      return Cli.OK;
    }
  }

  @Command(name = "list", description = "Every key: id, role, made, revoked, label.")
  static final class ListKeys implements Callable<Integer> {
    @picocli.CommandLine.Mixin Folder folder;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      List<ApiKeys.KeyInfo> keys = folder.keys().list();
      out.printf(
          Locale.ROOT, "%-10s  %-9s  %-20s  %-20s  %s%n", "id", "role", "made", "revoked", "label");
      for (ApiKeys.KeyInfo k : keys) {
        out.printf(
            Locale.ROOT,
            "%-10s  %-9s  %-20s  %-20s  %s%n",
            k.id(),
            k.role().label(),
            k.created().toString().substring(0, 19) + "Z",
            k.isRevoked() ? k.revoked().toString().substring(0, 19) + "Z" : "-",
            k.label());
      }
      return Cli.OK;
    }
  }

  @Command(name = "revoke", description = "Revoke a key by its id; a server refuses it at once.")
  static final class Revoke implements Callable<Integer> {
    @picocli.CommandLine.Mixin Folder folder;

    @Parameters(paramLabel = "ID", description = "The key's id, as keys list shows it.")
    String id;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      if (!folder.keys().revoke(id)) {
        throw new IllegalArgumentException("no live key with id '" + id + "'");
      }
      spec.commandLine().getErr().println("semblance: key " + id + " revoked");
      return Cli.OK;
    }
  }
}
