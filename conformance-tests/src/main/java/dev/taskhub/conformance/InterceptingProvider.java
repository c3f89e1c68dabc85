package dev.taskhub.conformance;

import dev.taskhub.StorageException;
import dev.taskhub.spi.Checkpoint;
import dev.taskhub.spi.CommitResult;
import dev.taskhub.spi.StorageProvider;
import dev.taskhub.spi.support.ForwardingStorageProvider;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A provider that forwards every call to the provider under test, for a worker whose commits a test wants to watch or
 * break: it records the ids of the messages consumed by committed checkpoints, and can crash one checkpoint of an
 * instance between sending its outbound messages and committing it (the window that Azure Storage's commit order
 * leaves open), or lose one checkpoint entirely (the worker stopped after the episode ran, before the commit).
 * {@link #close()} does not close the provider under test; the suite does.
 */
final class InterceptingProvider extends ForwardingStorageProvider {
    private final Set<String> consumed = ConcurrentHashMap.newKeySet();
    private final Set<String> crashed = ConcurrentHashMap.newKeySet();
    private volatile String crashInstanceId;
    private volatile Consumer<Checkpoint> afterSend;
    private volatile Predicate<Checkpoint> lose;

    InterceptingProvider(StorageProvider delegate) {
        super(delegate);
    }

    /**
     * The next checkpoint of {@code instanceId} that sends orchestration messages is not committed: its messages are
     * sent, {@code afterSend} runs, and the commit fails as if the worker had crashed (the work item is released so
     * that it comes back at once instead of after the lease).
     */
    void crashOnce(String instanceId, Consumer<Checkpoint> afterSend) {
        this.afterSend = afterSend;
        this.crashInstanceId = instanceId;
    }

    /**
     * The next checkpoint that {@code which} accepts is lost, as if the worker had stopped after running the episode and
     * before committing it: nothing of it is applied, the work item is released so that it comes back at once, and the
     * worker sees the commit refused.
     */
    void loseOnce(Predicate<Checkpoint> which) {
        this.lose = which;
    }

    /** Whether a committed checkpoint consumed the message with this id (the worker processed it). */
    boolean consumed(String messageId) {
        return consumed.contains(messageId);
    }

    boolean crashed(String instanceId) {
        return crashed.contains(instanceId);
    }

    @Override
    public List<CommitResult> commitCheckpoints(List<Checkpoint> checkpoints) {
        List<Checkpoint> forwarded = new ArrayList<>();
        int crashAt = -1;
        int lostAt = -1;
        for (int i = 0; i < checkpoints.size(); i++) {
            Checkpoint c = checkpoints.get(i);
            Predicate<Checkpoint> toLose = lose;
            if (lostAt < 0 && toLose != null && toLose.test(c)) {
                lose = null;
                lostAt = i;
                delegate().abandonOrchestrationWorkItem(c.workItem(), Duration.ZERO);
            } else if (crashAt < 0 && c.workItem().instanceId().equals(crashInstanceId) && !c.orchestrationMessages().isEmpty()
                    && crashed.add(c.workItem().instanceId())) {
                crashAt = i;
            } else {
                forwarded.add(c);
            }
        }
        CommitResult crashResult = null;
        if (crashAt >= 0) {
            Checkpoint c = checkpoints.get(crashAt);
            c.orchestrationMessages().forEach(delegate()::sendOrchestrationMessage);
            afterSend.accept(c);
            delegate().abandonOrchestrationWorkItem(c.workItem(), Duration.ZERO);
            crashResult = new CommitResult.Refused(new StorageException("Simulated crash between sending the outbound "
                    + "messages and committing the checkpoint of '" + c.workItem().instanceId() + "'", null));
        }
        List<CommitResult> results = forwarded.isEmpty() ? List.of() : delegate().commitCheckpoints(forwarded);
        List<CommitResult> out = new ArrayList<>(checkpoints.size());
        int next = 0;
        for (int i = 0; i < checkpoints.size(); i++) {
            if (i == crashAt) {
                out.add(crashResult);
                continue;
            }
            if (i == lostAt) {
                out.add(new CommitResult.Refused(new StorageException("Simulated crash after the episode of '"
                        + checkpoints.get(i).workItem().instanceId() + "' ran and before its checkpoint was committed", null)));
                continue;
            }
            CommitResult r = results.get(next++);
            if (r.isCommitted()) {
                checkpoints.get(i).workItem().messages().forEach(m -> consumed.add(m.messageId()));
            }
            out.add(r);
        }
        return out;
    }

    @Override
    public void close() {
        // the suite closes the provider under test
    }
}
