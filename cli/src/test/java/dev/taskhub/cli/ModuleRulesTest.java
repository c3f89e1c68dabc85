package dev.taskhub.cli;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The rules between modules, checked where all of them are on the class path (api, the three providers, http,
 * samples and this command line): nothing outside {@code taskhub-api}'s worker uses the engine, and providers use only
 * the SPI and the public packages (docs/architecture.md).
 */
@AnalyzeClasses(packages = "dev.taskhub", importOptions = ImportOption.DoNotIncludeTests.class)
class ModuleRulesTest {
    @ArchTest
    static final ArchRule nothingOutsideTheWorkerUsesTheEngine = noClasses()
            .that().resideOutsideOfPackages("dev.taskhub.internal..", "dev.taskhub.worker..")
            .should().dependOnClassesThat().resideInAPackage("dev.taskhub.internal..")
            .because("dev.taskhub.internal is the engine, with no compatibility promise");

    @ArchTest
    static final ArchRule providersUseOnlyTheSpiAndPublicPackages = noClasses()
            .that().resideInAPackage("dev.taskhub.provider..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.taskhub.internal..", "dev.taskhub.worker..",
                    "dev.taskhub.client..", "dev.taskhub.config..", "dev.taskhub.orchestration..", "dev.taskhub.activity..",
                    "dev.taskhub.http..", "dev.taskhub.cli..", "dev.taskhub.samples..")
            .because("a provider implements the SPI (dev.taskhub.spi, spi.support, query, convert, history and the "
                    + "exceptions), nothing else");

    @ArchTest
    static final ArchRule providersDoNotUseEachOther = slices().matching("dev.taskhub.provider.(*)..").should().notDependOnEachOther();
}
