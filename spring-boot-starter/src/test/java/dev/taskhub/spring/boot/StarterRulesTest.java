package dev.taskhub.spring.boot;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The starter uses Taskhub's public API only, and names one provider in one place: the optional PostgreSQL provider is
 * touched only by {@link PostgresDataSources}, which is loaded only when that provider is on the class path.
 */
@AnalyzeClasses(packages = "dev.taskhub.spring.boot", importOptions = ImportOption.DoNotIncludeTests.class)
class StarterRulesTest {
    @ArchTest
    static final ArchRule noEngine = noClasses().should().dependOnClassesThat().resideInAPackage("dev.taskhub.internal..")
            .because("dev.taskhub.internal is the engine, with no compatibility promise");

    @ArchTest
    static final ArchRule oneClassNamesTheOptionalProvider = noClasses().that().haveNameNotMatching("dev\\.taskhub\\.spring\\.boot\\.PostgresDataSources")
            .should().dependOnClassesThat().resideInAPackage("dev.taskhub.provider..")
            .because("providers are optional and chosen through StorageProviders");

    @ArchTest
    static final ArchRule httpOnlyInItsConfiguration = noClasses()
            .that().haveNameNotMatching("dev\\.taskhub\\.spring\\.boot\\.TaskhubHttpConfiguration(\\$.*)?")
            .should().dependOnClassesThat().resideInAPackage("dev.taskhub.http..")
            .because("taskhub-http is optional: only its conditional configuration may load it");

    @ArchTest
    static final ArchRule observabilityOnlyInItsConfiguration = noClasses()
            .that().haveNameNotMatching("dev\\.taskhub\\.spring\\.boot\\.TaskhubObservabilityAutoConfiguration(\\$.*)?")
            .should().dependOnClassesThat().resideInAnyPackage("dev.taskhub.micrometer..", "dev.taskhub.opentelemetry..",
                    "io.micrometer..", "io.opentelemetry..")
            .because("taskhub-micrometer and taskhub-opentelemetry are optional: only their conditional configurations may load them");
}
