package dev.taskhub.cli;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.taskhub.InvalidRequestException;
import dev.taskhub.convert.RawJson;
import dev.taskhub.client.http.WireFormat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads a JSON payload given inline or as {@code @path/to/file.json}, as {@code func durable} does. */
final class JsonArgs {
    private JsonArgs() {}

    /**
     * The payload, or null when absent. A file must hold JSON. Inline text that is not JSON and does not look like
     * JSON (starting with {, [ or ") is taken as a string, so {@code --input Tokyo} means {@code "Tokyo"}.
     */
    static RawJson read(String value, String option) {
        if (value == null) {
            return null;
        }
        if (value.startsWith("@")) {
            Path file = Path.of(value.substring(1));
            String text;
            try {
                text = Files.readString(file, StandardCharsets.UTF_8).trim();
            } catch (NoSuchFileException e) {
                throw new InvalidRequestException(option + ": file '" + file + "' does not exist (relative paths start at "
                        + Path.of("").toAbsolutePath() + ").");
            } catch (IOException e) {
                throw new InvalidRequestException(option + ": cannot read file '" + file + "': " + e.getMessage());
            }
            if (text.isEmpty()) {
                return null;
            }
            try {
                return new RawJson(text);
            } catch (InvalidRequestException e) {
                throw new InvalidRequestException(option + ": file '" + file + "' " + e.getMessage().replace("The payload ", ""));
            }
        }
        String text = value.trim();
        if (text.isEmpty()) {
            return null;
        }
        try {
            return new RawJson(text);
        } catch (InvalidRequestException e) {
            char first = text.charAt(0);
            if (first == '{' || first == '[' || first == '"') {
                throw new InvalidRequestException(option + ": " + e.getMessage().replace("The payload ", "the value "));
            }
            return new RawJson(WireFormat.write(TextNode.valueOf(value)));
        }
    }
}
