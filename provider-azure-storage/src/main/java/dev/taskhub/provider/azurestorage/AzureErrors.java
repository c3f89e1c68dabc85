package dev.taskhub.provider.azurestorage;

import com.azure.core.exception.HttpResponseException;
import com.azure.data.tables.models.TableServiceException;
import com.azure.data.tables.models.TableTransactionFailedException;
import dev.taskhub.StorageException;
import dev.taskhub.TaskhubException;

import java.util.function.Supplier;

/** Maps Azure SDK failures to Taskhub exceptions and reads status codes (which Azurite omits on batch failures). */
final class AzureErrors {
    private AzureErrors() {}

    /** The HTTP status of a failure, or 0 when there is none (network error). */
    static int status(Throwable t) {
        if (t instanceof TableTransactionFailedException tx && tx.getResponse() == null) {
            String code = tx.getValue() == null ? null : tx.getValue().getErrorCode() == null ? null : tx.getValue().getErrorCode().toString();
            if (code == null) {
                return 0;
            }
            if (code.contains("UpdateConditionNotSatisfied") || code.contains("ConditionNotMet")) {
                return 412;
            }
            if (code.contains("EntityAlreadyExists")) {
                return 409;
            }
            if (code.contains("ResourceNotFound") || code.contains("EntityNotFound")) {
                return 404;
            }
            return 0;
        }
        if (t instanceof HttpResponseException http && http.getResponse() != null) {
            return http.getResponse().getStatusCode();
        }
        return 0;
    }

    static boolean isConflictOrPrecondition(Throwable t) {
        int s = status(t);
        return s == 409 || s == 412;
    }

    static StorageException wrap(String what, RuntimeException e) {
        if (e instanceof TaskhubException te && te instanceof StorageException se) {
            return se;
        }
        int s = status(e);
        String detail = e instanceof TableServiceException tse && tse.getValue() != null && tse.getValue().getErrorCode() != null
                ? tse.getValue().getErrorCode().toString() : e.getClass().getSimpleName();
        return new StorageException("Azure Storage failed while " + what + (s > 0 ? " (HTTP " + s + ", " + detail + ")" : " (" + detail
                + ": " + firstLine(e.getMessage()) + ")") + ". The request was retried by the SDK; check that the storage account is "
                + "reachable and the connection string is right, then try again.", e);
    }

    static <T> T call(String what, Supplier<T> body) {
        try {
            return body.get();
        } catch (TaskhubException e) {
            throw e;
        } catch (RuntimeException e) {
            throw wrap(what, e);
        }
    }

    static void run(String what, Runnable body) {
        call(what, () -> {
            body.run();
            return null;
        });
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int nl = message.indexOf('\n');
        String line = nl < 0 ? message : message.substring(0, nl);
        return AzureConnection.mask(line.length() > 300 ? line.substring(0, 300) : line);
    }
}
