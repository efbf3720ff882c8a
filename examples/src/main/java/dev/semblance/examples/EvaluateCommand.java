package dev.semblance.examples;

import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(
    name = "evaluate",
    description = "Measure verification, open-set identification or clustering; write a report.",
    subcommands = {
      EvaluatePairsCommand.class,
      EvaluateIdentificationCommand.class,
      EvaluateClusteringCommand.class,
      EvaluateQualityCommand.class,
      EvaluateLivenessCommand.class,
      CommandLine.HelpCommand.class
    })
final class EvaluateCommand {}
