package io.rlhf4j.nn.tokenizer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.GZIPInputStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Test resources under tokenizers/: fixtures written by src/test/python/make_tokenizer_fixtures.py and
 * the real tokenizers, whose tokenizer.json is committed gzip-compressed and unpacked into target/.
 */
final class Fixtures {
    static final ObjectMapper JSON = new ObjectMapper();

    private Fixtures() {}

    static JsonNode json(String resource) {
        try (InputStream in = open(resource)) {
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String text(String resource) {
        try (InputStream in = open(resource)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A tokenizer folder (tokenizer.json + tokenizer_config.json) under target/test-tokenizers/NAME. */
    static synchronized Path tokenizerFolder(String name) {
        Path dir = Path.of("target", "test-tokenizers", name);
        try {
            Files.createDirectories(dir);
            Path json = dir.resolve("tokenizer.json");
            if (!Files.exists(json)) {
                Path tmp = Files.createTempFile(dir, "tokenizer", ".tmp");
                try (InputStream in = new GZIPInputStream(open("tokenizers/" + name + "/tokenizer.json.gz"))) {
                    Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                }
                Files.move(tmp, json, StandardCopyOption.ATOMIC_MOVE);
            }
            try (InputStream in = open("tokenizers/" + name + "/tokenizer_config.json")) {
                Files.copy(in, dir.resolve("tokenizer_config.json"), StandardCopyOption.REPLACE_EXISTING);
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InputStream open(String resource) {
        InputStream in = Fixtures.class.getClassLoader().getResourceAsStream(resource);
        if (in == null) {
            throw new IllegalStateException("missing test resource " + resource);
        }
        return in;
    }
}
