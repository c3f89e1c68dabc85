package dev.taskhub.opentelemetry;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The rules of this optional module (docs/architecture.md): it is written against the observation SPI and the public
 * packages, never the engine or the provider SPI, and it does not pull in the other observability library.
 */
@AnalyzeClasses(packages = "dev.taskhub.opentelemetry", importOptions = ImportOption.DoNotIncludeTests.class)
class OpenTelemetryModuleRulesTest {
    @ArchTest
    static final ArchRule usesOnlyTheObservationSpiAndPublicPackages = noClasses()
            .should().dependOnClassesThat().resideInAnyPackage("dev.taskhub.internal..", "dev.taskhub.spi..",
                    "dev.taskhub.worker..", "dev.taskhub.micrometer..")
            .because("an observer sees what dev.taskhub.observe reports; the engine has no compatibility promise");

    @ArchTest
    static final ArchRule doesNotUseTheOtherLibrary = noClasses()
            .should().dependOnClassesThat().resideInAPackage("io.micrometer..")
            .because("one module per library: users pull only what they need");
}
