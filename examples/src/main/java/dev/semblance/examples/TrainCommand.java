package dev.semblance.examples;

import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(
    name = "train",
    description = "Train a head on top of the frozen embedder.",
    subcommands = {
      TrainProjectionCommand.class,
      TrainVerifierCommand.class,
      CommandLine.HelpCommand.class
    })
final class TrainCommand {}
