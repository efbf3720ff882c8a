package dev.semblance.internal.vector;

import static org.assertj.core.api.Assertions.assertThat;

import dev.semblance.testing.ChildJvm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The kernel choice in fresh JVMs with the options that make the Vector API slow: C1 only, no FMA,
 * no module. Each child prints the chosen kernels; its log says why.
 */
class KernelChoiceTest {
  /** Prints the kernels this JVM chose. */
  public static void main(String[] args) {
    System.out.println("chosen: " + Kernels.get().name());
  }

  private record Child(String out, String err) {}

  private static Child run(String... jvmOptions) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(ChildJvm.java()));
    command.addAll(List.of(jvmOptions));
    command.addAll(List.of("-cp", ChildJvm.classPath(), KernelChoiceTest.class.getName()));
    Process p = new ProcessBuilder(command).start();
    byte[] out = p.getInputStream().readAllBytes();
    byte[] err = p.getErrorStream().readAllBytes();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(new String(err, StandardCharsets.UTF_8)).isZero();
    return new Child(
        new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
  }

  @Test
  void withC2AndTheModuleTheVectorApiIsChosen() throws Exception {
    Child c = run("--add-modules", "jdk.incubator.vector");
    assertThat(c.out()).contains("chosen: Panama Vector API");
    assertThat(c.err()).contains("C2 compiler and fast FMA present");
  }

  @Test
  void withoutC2ScalarKernelsAreChosenAndTheLogSaysWhy() throws Exception {
    Child c = run("--add-modules", "jdk.incubator.vector", "-XX:TieredStopAtLevel=1");
    assertThat(c.out()).contains("chosen: scalar");
    assertThat(c.err()).contains("C2 compiler is off (-XX:TieredStopAtLevel=1)");
  }

  @Test
  void withoutFastFmaScalarKernelsAreChosenAndTheLogSaysWhy() throws Exception {
    Child c = run("--add-modules", "jdk.incubator.vector", "-XX:-UseFMA");
    assertThat(c.out()).contains("chosen: scalar");
    assertThat(c.err()).contains("fused multiply-add");
  }

  @Test
  void withoutTheModuleTheLogSaysHowToEnableIt() throws Exception {
    Child c = run();
    assertThat(c.out()).contains("chosen: scalar");
    assertThat(c.err()).contains("--add-modules jdk.incubator.vector");
  }
}
