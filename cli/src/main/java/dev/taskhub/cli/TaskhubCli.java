package dev.taskhub.cli;

import dev.taskhub.StorageException;
import dev.taskhub.TaskhubException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.lang.reflect.Constructor;

/**
 * The {@code taskhub} command: {@code func durable}'s management subcommands with the same names, flags and defaults,
 * plus {@code suspend}, {@code resume}, {@code restart}, {@code purge-instance}, {@code serve} and {@code demo}.
 *
 * <p>Exit codes: 0 success; 1 the operation was refused (unknown instance, wrong state, bad value, configuration);
 * 2 usage error (unknown subcommand or option, missing required option). Errors are one line on stderr.
 */
@Command(name = "taskhub", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT, versionProvider = TaskhubCli.Version.class,
        description = {"Manage Taskhub orchestrations: the subcommands of 'func durable', plus serve and demo.",
                "",
                "The task hub is chosen like Durable Functions does: --connection-string-setting names an environment "
                        + "variable or a key of taskhub.properties in the working directory (default AzureWebJobsStorage) "
                        + "whose value is a PostgreSQL (jdbc:postgresql://…) or Azure Storage (UseDevelopmentStorage=true, "
                        + "DefaultEndpointsProtocol=…) connection string; unset means the in-memory provider.",
                "With the in-memory provider every command runs in its own empty task hub, so the management commands are "
                        + "only meaningful against PostgreSQL or Azure Storage, or through a running 'taskhub serve' "
                        + "(pass --url and --key to manage its hub over HTTP).",
                ""},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:the operation was refused (unknown instance, wrong state, bad value, configuration)",
                "2:usage error (unknown subcommand or option, missing required option)",
                "3:replay: a history does not replay deterministically"},
        footer = {"", "Reference: docs/cli.md and docs/http-api.md"},
        subcommands = {
                ManagementCommands.StartNew.class,
                ManagementCommands.GetRuntimeStatus.class,
                ManagementCommands.GetHistory.class,
                ManagementCommands.GetInstances.class,
                ManagementCommands.Stats.class,
                ManagementCommands.Terminate.class,
                ManagementCommands.RaiseEvent.class,
                ManagementCommands.Rewind.class,
                ManagementCommands.Suspend.class,
                ManagementCommands.Resume.class,
                ManagementCommands.Restart.class,
                ManagementCommands.PurgeInstance.class,
                ManagementCommands.PurgeHistory.class,
                ManagementCommands.DeleteTaskHub.class,
                JobCommands.class,
                TransferCommands.Export.class,
                TransferCommands.Import.class,
                RetentionCommands.class,
                QuarantineCommands.Stuck.class,
                QuarantineCommands.Quarantine.class,
                ReplayCommand.class,
                ServeCommand.class,
                DemoCommand.class,
                CommandLine.HelpCommand.class
        })
public final class TaskhubCli implements Runnable {
    @Spec
    CommandSpec spec;

    /** Without a subcommand: print the usage and fail as a usage error. */
    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand.");
    }

    /** Runs the command line and exits the JVM with its exit code. */
    public static void main(String[] args) {
        configureLogging(args);
        int code = newCommandLine(CliContext.system()).execute(args);
        System.exit(code);
    }

    /** A command line wired to the process environment and the working directory's {@code taskhub.properties}. */
    public static CommandLine newCommandLine() {
        return newCommandLine(CliContext.system());
    }

    static CommandLine newCommandLine(CliContext context) {
        CommandLine cli = new CommandLine(new TaskhubCli(), new Factory(context));
        // "--input @file.json" is func durable's syntax for a JSON file: picocli must not expand it as an argument file.
        cli.setExpandAtFiles(false);
        // enum options (e.g. import --id-reuse-policy) in any case: always_replace as well as ALWAYS_REPLACE
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            Object command = commandLine.getCommand();
            BaseCommand base = command instanceof BaseCommand b ? b : null;
            err.println("Error: " + describe(e, base == null ? null : base.common.connectionStringSetting,
                    base != null && base.output.verbose));
            err.flush();
            return 1;
        });
        cli.setParameterExceptionHandler((e, args) -> {
            PrintWriter err = e.getCommandLine().getErr();
            err.println("Error: " + e.getMessage());
            err.println("Run '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help' for usage.");
            err.flush();
            return 2;
        });
        return cli;
    }

    /**
     * The one-line error. A refusal's message is written for the user and printed as is. A storage failure's message
     * names the storage (address, database, user, driver text), so it is printed only with {@code --verbose}; without
     * it the line says what to check. The same for unexpected errors.
     */
    static String describe(Exception e, String connectionSetting, boolean verbose) {
        if (e instanceof StorageException) {
            String advice = "The task hub's storage is unavailable or failed. Check that the storage server is running and "
                    + "reachable and that the connection string in setting '" + (connectionSetting == null ? "AzureWebJobsStorage"
                    : connectionSetting) + "' is right, then retry.";
            return verbose ? advice + " Details: " + causes(e) : advice + " Run again with --verbose to see the storage's own message.";
        }
        if (e instanceof TaskhubException) {
            return e.getMessage();
        }
        String unexpected = "Unexpected " + e.getClass().getSimpleName() + ".";
        return verbose ? unexpected + " Details: " + causes(e) : unexpected + " Run again with --verbose to see its message.";
    }

    /** The messages of the exception and its causes, one after the other (no stack trace). */
    private static String causes(Throwable e) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getMessage() != null && !text.toString().contains(t.getMessage())) {
                text.append(text.length() == 0 ? "" : " Caused by: ").append(t.getMessage());
            }
        }
        return text.length() == 0 ? e.getClass().getSimpleName() : text.toString();
    }

    /** Quiet logs for one-shot commands; informative ones for serve. Anything set with -D wins. */
    private static void configureLogging(String[] args) {
        boolean serve = args.length > 0 && args[0].equals("serve");
        setIfAbsent("org.slf4j.simpleLogger.defaultLogLevel", serve ? "info" : "warn");
        setIfAbsent("org.slf4j.simpleLogger.log.org.eclipse.jetty", "warn");
        setIfAbsent("org.slf4j.simpleLogger.log.io.javalin", "warn");
        setIfAbsent("org.slf4j.simpleLogger.showDateTime", "true");
        setIfAbsent("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss.SSS");
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    /** Creates commands and hands them the context. */
    private static final class Factory implements CommandLine.IFactory {
        private final CliContext context;

        Factory(CliContext context) {
            this.context = context;
        }

        @Override
        public <K> K create(Class<K> cls) throws Exception {
            Object created;
            try {
                Constructor<K> constructor = cls.getDeclaredConstructor();
                constructor.setAccessible(true);
                created = constructor.newInstance();
            } catch (NoSuchMethodException e) {
                return CommandLine.defaultFactory().create(cls);
            }
            if (created instanceof BaseCommand c) {
                c.context = context;
            } else if (created instanceof ServeCommand s) {
                s.context = context;
            }
            return cls.cast(created);
        }
    }

    /** The version from the jar manifest, when there is one. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = TaskhubCli.class.getPackage().getImplementationVersion();
            return new String[] {"taskhub " + (v == null ? "(development build)" : v)};
        }
    }
}
