package dev.semblance.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering of Semblance, checked on the compiled classes of every module (docs/design.md draws
 * it): the public facade of core ({@code dev.semblance}, with its SPIs and durable file writes)
 * knows nothing of its satellites ({@code evaluation}, {@code learning}, {@code clustering}), which
 * know the facade and not each other; no other module reaches into core's {@code internal}
 * packages, nor one module into another's; and no packages depend on each other in a cycle.
 */
class ArchitectureTest {
  private static final String[] SATELLITES = {
    "dev.semblance.evaluation..", "dev.semblance.learning..", "dev.semblance.clustering.."
  };

  /** Core's packages: the facade, its SPIs, durable writes, satellites and internals. */
  private static final String[] CORE = {
    "dev.semblance",
    "dev.semblance.spi..",
    "dev.semblance.io..",
    "dev.semblance.internal..",
    "dev.semblance.evaluation..",
    "dev.semblance.learning..",
    "dev.semblance.clustering.."
  };

  /** The modules that keep an {@code internal} package of their own. */
  private static final List<String> MODULES_WITH_INTERNALS =
      List.of("server", "opensearch", "graph");

  private static JavaClasses classes;

  @BeforeAll
  static void importEveryModule() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.semblance");
  }

  @Test
  void everyModuleIsImported() {
    for (String module :
        List.of(
            "onnx",
            "cuda",
            "server",
            "client",
            "video",
            "opensearch",
            "graph",
            "examples",
            "spark",
            "spring",
            "sample")) {
      assertThat(
              classes.stream()
                  .anyMatch(c -> c.getPackageName().startsWith("dev.semblance." + module)))
          .as("classes of module %s", module)
          .isTrue();
    }
  }

  @Test
  void theClientStandsAlone() {
    noClasses()
        .that()
        .resideInAPackage("dev.semblance.client..")
        .should()
        .dependOnClassesThat()
        .resideOutsideOfPackages("dev.semblance.client..", "java..", "com.fasterxml.jackson..")
        .because("services that call Semblance over HTTP take the client without the models")
        .check(classes);
  }

  @Test
  void onlyCoreUsesCoreInternals() {
    noClasses()
        .that()
        .resideOutsideOfPackages(CORE)
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.semblance.internal..")
        .because("core's internals may change in any release; promote what others need")
        .check(classes);
  }

  @Test
  void noModuleUsesAnothersInternals() {
    for (String module : MODULES_WITH_INTERNALS) {
      String own = "dev.semblance." + module + "..";
      noClasses()
          .that()
          .resideOutsideOfPackage(own)
          .should()
          .dependOnClassesThat()
          .resideInAPackage("dev.semblance." + module + ".internal..")
          .check(classes);
    }
  }

  @Test
  void theFacadeKnowsNoSatellite() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "dev.semblance",
            "dev.semblance.spi..",
            "dev.semblance.io..",
            "dev.semblance.internal..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(SATELLITES)
        .because("evaluation, learning and clustering are built on the facade, not under it")
        .check(classes);
  }

  @Test
  void satellitesKnowTheFacadeButNotEachOther() {
    for (String satellite : SATELLITES) {
      noClasses()
          .that()
          .resideInAPackage(satellite)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              Arrays.stream(SATELLITES).filter(s -> !s.equals(satellite)).toArray(String[]::new))
          .check(classes);
    }
  }

  @Test
  void noPackagesDependOnEachOtherInACycle() {
    slices().assignedFrom(PACKAGES).should().beFreeOfCycles().check(classes);
  }

  /**
   * One slice per package, except that core's facade and its internals are one (the internals are
   * the facade's implementation and use its value types), and so are each module's package and its
   * {@code internal} package.
   */
  private static final SliceAssignment PACKAGES =
      new SliceAssignment() {
        @Override
        public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
          String name = javaClass.getPackageName();
          if (name.equals("dev.semblance") || name.startsWith("dev.semblance.internal.")) {
            return SliceIdentifier.of("core facade");
          }
          return SliceIdentifier.of(name.replace(".internal", ""));
        }

        @Override
        public String getDescription() {
          return "packages, with core's facade and each module's internals as one";
        }
      };
}
