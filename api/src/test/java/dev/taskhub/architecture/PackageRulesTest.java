package dev.taskhub.architecture;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The package rules of {@code taskhub-api} (docs/architecture.md, "Packages of taskhub-api"): the engine is imported
 * only by the worker, the SPI does not know the client, the engine does not know the worker, and the packages form no
 * cycle.
 */
@AnalyzeClasses(packages = "dev.taskhub", importOptions = ImportOption.DoNotIncludeTests.class)
class PackageRulesTest {
    @ArchTest
    static final ArchRule onlyTheWorkerUsesTheEngine = noClasses()
            .that().resideOutsideOfPackages("dev.taskhub.internal..", "dev.taskhub.worker..")
            .should().dependOnClassesThat().resideInAPackage("dev.taskhub.internal..")
            .because("the engine is internal: only the worker starts it");

    @ArchTest
    static final ArchRule theEngineDoesNotKnowTheWorkerOrTheClient = noClasses()
            .that().resideInAPackage("dev.taskhub.internal..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.taskhub.worker..", "dev.taskhub.client..",
                    "dev.taskhub.config..")
            .because("the worker depends on the engine (through Registrations and EngineOptions), not the reverse");

    @ArchTest
    static final ArchRule theSpiDoesNotKnowTheClient = noClasses()
            .that().resideInAPackage("dev.taskhub.spi..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.taskhub.client..", "dev.taskhub.worker..",
                    "dev.taskhub.internal..", "dev.taskhub.config..")
            .because("providers implement the SPI without the client; shared query types live in dev.taskhub.query");

    @ArchTest
    static final ArchRule queryAndConvertAreLeaves = classes()
            .that().resideInAnyPackage("dev.taskhub.query..", "dev.taskhub.convert..", "dev.taskhub.history..")
            .should().onlyDependOnClassesThat().resideOutsideOfPackages("dev.taskhub.client..", "dev.taskhub.worker..",
                    "dev.taskhub.internal..", "dev.taskhub.spi..", "dev.taskhub.config..", "dev.taskhub.orchestration..",
                    "dev.taskhub.activity..")
            .because("queries, conversion and history are used by the client, the engine and the providers alike");

    @ArchTest
    static final ArchRule theRootPackageDependsOnNoSubpackage = classes()
            .that().resideInAPackage("dev.taskhub")
            .should().onlyDependOnClassesThat().resideOutsideOfPackages("dev.taskhub.(*)..")
            .because("exceptions and statuses are used everywhere");

    @ArchTest
    static final ArchRule userTypesDoNotExposeStorageRows = noClasses()
            .that().resideInAPackage("dev.taskhub.client..").and().doNotHaveSimpleName("TaskHubClient")
            .should().dependOnClassesThat().resideInAPackage("dev.taskhub.spi..")
            .because("what users read (metadata, query results, the wire format) has its own fields, not the storage row");

    @ArchTest
    static final ArchRule observersSeeOnlyReportsAndHistory = classes()
            .that().resideInAPackage("dev.taskhub.observe..")
            .should().onlyDependOnClassesThat().resideOutsideOfPackages("dev.taskhub.client..", "dev.taskhub.worker..",
                    "dev.taskhub.internal..", "dev.taskhub.spi..", "dev.taskhub.config..")
            .because("an observer (taskhub-micrometer, taskhub-opentelemetry) is written against the reports, not the engine");

    @ArchTest
    static final ArchRule theApiUsesNoMetricsOrTracingLibrary = noClasses()
            .that().resideInAPackage("dev.taskhub..")
            .should().dependOnClassesThat().resideInAnyPackage("io.micrometer..", "io.opentelemetry..")
            .because("metrics and traces are optional modules; taskhub-api only calls dev.taskhub.observe.TaskHubObserver");

    @ArchTest
    static final ArchRule noPackageCycles = slices().matching("dev.taskhub.(*)..").should().beFreeOfCycles();
}
