package dev.taskhub.cli;

import dev.taskhub.ConfigurationException;
import dev.taskhub.http.ManagementServer;
import dev.taskhub.worker.TaskHubWorker;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** Runs a worker with every TaskModule on the class path plus the HTTP management API until Ctrl-C. */
@Command(name = "serve", description = {
        "Runs a worker with every orchestrator and activity on the class path (including the samples) and serves the "
                + "HTTP management API, until Ctrl-C.",
        "Uses the configured provider; without a connection string, the in-memory one."})
final class ServeCommand implements Callable<Integer> {
    static final String KEY_ENV = "TASKHUB_HTTP_KEY";
    static final String READ_ONLY_KEY_ENV = "TASKHUB_HTTP_READ_ONLY_KEY";

    @Mixin
    CommonOptions common;

    @Spec
    CommandSpec spec;

    @Option(names = "--port", defaultValue = "7071", paramLabel = "<port>", description = "Port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1", paramLabel = "<address>",
            description = "Address to bind (default: ${DEFAULT-VALUE}, this machine only; 0.0.0.0 for all interfaces).")
    String host;

    @Option(names = "--key", paramLabel = "<key>",
            description = "System key every HTTP call must carry (code=… or x-functions-key). Also read from " + KEY_ENV
                    + ". Without one a random key is generated and printed.")
    String key;

    @Option(names = "--read-only-key", paramLabel = "<key>",
            description = "A second key that may only view (status, list, history, counts, jobs, stuck, quarantine, health): "
                    + "every route that changes the hub answers 403 for it. For the dashboard of people who look but must not act. "
                    + "Also read from " + READ_ONLY_KEY_ENV + ".")
    String readOnlyKey;

    @Option(names = "--no-auth", arity = "0..1", fallbackValue = "true", paramLabel = "<true|false>",
            description = "Serve without any key. Local development only. True or false, alone means true.")
    boolean noAuth;

    @Option(names = "--public-base-url", paramLabel = "<url>",
            description = "scheme://host:port used in management URLs when behind a proxy (default: the request's host).")
    String publicBaseUrl;

    @Option(names = "--max-request-bytes", defaultValue = "4194304", paramLabel = "<bytes>",
            description = "Largest accepted request body (default: ${DEFAULT-VALUE}, 4 MiB).")
    long maxRequestBytes;

    CliContext context = CliContext.system();

    private final CountDownLatch stopped = new CountDownLatch(1);

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        String systemKey = key != null ? key : context.environment().get(KEY_ENV);
        if (noAuth && systemKey != null && key != null) {
            throw new ConfigurationException("Give either --key or --no-auth, not both.");
        }
        String viewerKey = readOnlyKey != null ? readOnlyKey : context.environment().get(READ_ONLY_KEY_ENV);
        if (noAuth && viewerKey != null) {
            throw new ConfigurationException("--read-only-key needs authentication: give it with --key (or a generated key), not --no-auth.");
        }
        boolean generated = false;
        if (!noAuth && (systemKey == null || systemKey.isBlank())) {
            systemKey = ManagementServer.generateKey();
            generated = true;
        }
        Session session = Session.open(common, context.configuration().get(), true);
        TaskHubWorker worker = null;
        ManagementServer server = null;
        try {
            worker = TaskHubWorker.builder(session.provider).addModulesFromClassPath().build().start();
            ManagementServer.Builder builder = ManagementServer.builder(session.client).registry(worker.registry())
                    .host(host).port(port).connectionName(common.connectionStringSetting)
                    .publicBaseUrl(publicBaseUrl).maxRequestBodyBytes(maxRequestBytes);
            if (viewerKey != null) {
                builder.readOnlyKey(viewerKey);
            }
            server = (noAuth ? builder.disableAuthentication() : builder.systemKey(systemKey)).build().start();
        } catch (RuntimeException e) {
            if (worker != null) {
                worker.close();
            }
            session.close();
            throw e;
        }
        TaskHubWorker w = worker;
        ManagementServer s = server;
        Thread hook = new Thread(() -> {
            s.close();
            w.close();
            session.close();
            stopped.countDown();
        }, "taskhub-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);

        String base = server.baseUrl();
        out.println("Taskhub is serving task hub '" + session.provider.taskHubName() + "' on the "
                + session.provider.providerName() + " provider.");
        out.println("  Orchestrators: " + String.join(", ", worker.registry().orchestratorNames()));
        out.println("  HTTP API:      " + base);
        out.println("  OpenAPI:       " + base + "/openapi.json");
        out.println("  Dashboard:     " + base.substring(0, base.length() - ManagementServer.DEFAULT_BASE_PATH.length()) + "/");
        if (noAuth) {
            out.println("  Authentication is DISABLED (--no-auth): anyone who can reach " + host + ":" + server.port()
                    + " can manage this task hub.");
        } else {
            out.println("  System key:    " + (generated ? systemKey + "  (generated; pass --key or set " + KEY_ENV + " to choose one)"
                    : "(as given)"));
        }
        if (viewerKey != null) {
            out.println("  Read-only key: (as given; it may view but not change the task hub)");
        }
        String code = noAuth ? "" : "?code=" + (generated ? systemKey : "<key>");
        out.println("  Try:           curl -X POST \"" + base + "/orchestrators/E1_HelloSequence" + code + "\"");
        out.println("  Manage:        taskhub get-instances --url " + base + (noAuth ? "" : " --key " + (generated ? systemKey : "<key>")));
        out.println("Press Ctrl-C to stop.");
        out.flush();
        stopped.await();
        return 0;
    }
}
