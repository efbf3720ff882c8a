package dev.semblance.examples;

import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(
    name = "evaluate",
    description = "Measure verification or open-set identification and write a report.",
    subcommands = {
      EvaluatePairsCommand.class,
      EvaluateIdentificationCommand.class,
      CommandLine.HelpCommand.class
    })
final class EvaluateCommand {}
