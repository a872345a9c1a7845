package io.rlhf4j.engine.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.rlhf4j.engine.DType;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShardedCheckpointTest {

    private static final JsonNode EXPECTED = Fixtures.expected(Fixtures.file("expected.json"));
    /** How make_safetensors_fixtures.py called huggingface_hub.save_torch_state_dict for sharded/. */
    private static final JsonNode HUB_SAVE = EXPECTED.get("checkpoints").get(0);

    @TempDir
    Path dir;

    @Test
    void readsTheHubCheckpointAsOneMap() throws IOException {
        try (ShardedCheckpoint checkpoint = ShardedCheckpoint.open(Fixtures.file("sharded/model.safetensors.index.json"))) {
            assertThat(checkpoint.names()).containsExactly("embed.weight", "head.weight", "layer.0.weight", "layer.0.bias");
            assertThat(checkpoint.metadata()).containsExactly(Map.entry("total_size", 392), Map.entry("note", "sharded fixture"));
            for (Map.Entry<String, JsonNode> file : EXPECTED.get("files").properties()) {
                if (file.getKey().startsWith("sharded/")) {
                    for (JsonNode tensor : file.getValue().get("tensors")) {
                        TensorEntry entry = checkpoint.get(tensor.get("name").textValue());
                        assertThat(entry.data().isMapped()).isTrue();
                        Fixtures.assertMatches(entry, tensor);
                    }
                }
            }
            assertThatThrownBy(() -> checkpoint.get("lm_head.weight")).hasMessageContaining("'lm_head.weight'");
        }
    }

    @Test
    void writerShardsExactlyLikeHuggingfaceHub() throws IOException {
        Path hubDir = Fixtures.file(HUB_SAVE.get("directory").textValue());
        try (ShardedCheckpoint hub = ShardedCheckpoint.openDirectory(hubDir)) {
            List<TensorBytes> tensors = new ArrayList<>();
            HUB_SAVE.get("tensor_order").forEach(n -> tensors.add(hub.get(n.textValue()).toTensorBytes()));
            ShardedCheckpointWriter.write(dir, tensors, Map.of("note", HUB_SAVE.get("metadata").get("note").textValue()),
                    HUB_SAVE.get("max_shard_size").longValue());
        }
        assertSameFiles(dir, hubDir);
    }

    @Test
    void oneShardIsASingleFileWithFormatMetadata() throws IOException {
        ShardedCheckpointWriter.write(dir, List.of(f32("b", 2), f32("a", 3)), Map.of("note", "x"), 1 << 20);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(dir.resolve("model.safetensors"));
        }
        try (ShardedCheckpoint checkpoint = ShardedCheckpoint.openDirectory(dir)) {
            assertThat(checkpoint.source()).isEqualTo(dir.resolve("model.safetensors"));
            assertThat(checkpoint.metadata()).isEqualTo(Map.of("format", "pt", "note", "x"));
            assertThat(checkpoint.names()).containsExactly("a", "b");
        }
    }

    @Test
    void savingAgainRemovesFilesOfTheEarlierSave() throws IOException {
        ShardedCheckpointWriter.write(dir, List.of(f32("a", 4), f32("b", 4), f32("c", 4)), Map.of(), 16);
        assertThat(dir.resolve("model-00003-of-00003.safetensors")).exists();
        Files.writeString(dir.resolve("config.json"), "{}");

        ShardedCheckpointWriter.write(dir, List.of(f32("a", 4), f32("b", 4)), Map.of(), 32);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("model.safetensors", "config.json");
        }
        try (ShardedCheckpoint checkpoint = ShardedCheckpoint.openDirectory(dir)) {
            assertThat(checkpoint.names()).containsExactly("a", "b");
        }
    }

    @Test
    void shardedRoundTripKeepsEveryTensor() throws IOException {
        List<TensorBytes> tensors = List.of(f32("w1", 10), f32("w2", 3), f32("big", 40), f32("w3", 5));
        ShardedCheckpointWriter.write(dir, tensors, Map.of("step", "7"), 64);
        try (ShardedCheckpoint checkpoint = ShardedCheckpoint.openDirectory(dir)) {
            assertThat(checkpoint.metadata()).containsEntry("total_size", 232).containsEntry("step", "7");
            for (TensorBytes t : tensors) {
                assertThat(TensorValues.toDoubles(checkpoint.get(t.name())))
                        .isEqualTo(TensorValues.toDoubles(t.dtype(), t.data()));
            }
        }
    }

    @Test
    void missingShardNamesIndexTensorAndShard() throws IOException {
        Path index = writeIndex("{\"weight_map\": {\"a\": \"model-00001-of-00002.safetensors\"}}");
        assertThatThrownBy(() -> ShardedCheckpoint.open(index))
                .isInstanceOf(SafetensorsFormatException.class)
                .hasMessageStartingWith(index + ": tensor 'a': weight_map names shard 'model-00001-of-00002.safetensors', "
                        + "which does not exist in ");
    }

    @Test
    void nameMissingFromItsShardIsReported() throws IOException {
        SafetensorsWriter.write(dir.resolve("shard.safetensors"), List.of(f32("a", 1)), Map.of());
        Path index = writeIndex("{\"weight_map\": {\"a\": \"shard.safetensors\", \"b\": \"shard.safetensors\"}}");
        assertThatThrownBy(() -> ShardedCheckpoint.open(index))
                .isInstanceOf(SafetensorsFormatException.class)
                .hasMessage(index + ": tensor 'b': weight_map places it in shard 'shard.safetensors', "
                        + "but that shard has no such tensor");
    }

    @Test
    void malformedIndexesAreRejected() throws IOException {
        assertIndexRejected("{\"weight_map\": {\"a\": \"../outside.safetensors\"}}",
                "tensor 'a': shard '../outside.safetensors' must be a plain file name in the checkpoint's directory");
        assertIndexRejected("{\"weight_map\": {\"a\": 3}}", "tensor 'a': weight_map value must be a shard file name, got 3");
        assertIndexRejected("{\"metadata\": {}}", "index has no 'weight_map' object");
        assertIndexRejected("{\"weight_map\": {\"a\": \"x\", \"a\": \"y\"}}", "index is not valid JSON: Duplicate field 'a'");
        assertIndexRejected("{\"weight_map\": ", "index is not valid JSON");
        assertIndexRejected("[]", "index is not a JSON object");
    }

    @Test
    void directoryWithoutCheckpointIsReported() {
        assertThatThrownBy(() -> ShardedCheckpoint.openDirectory(dir)).isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("neither model.safetensors.index.json nor model.safetensors found");
    }

    private void assertIndexRejected(String json, String fragment) throws IOException {
        Path index = writeIndex(json);
        assertThatThrownBy(() -> ShardedCheckpoint.open(index))
                .isInstanceOf(SafetensorsFormatException.class)
                .hasMessageStartingWith(index + ": ")
                .hasMessageContaining(fragment);
    }

    private Path writeIndex(String json) throws IOException {
        return Files.writeString(dir.resolve("model.safetensors.index.json"), json);
    }

    private static void assertSameFiles(Path actualDir, Path expectedDir) throws IOException {
        try (Stream<Path> actual = Files.list(actualDir); Stream<Path> expected = Files.list(expectedDir)) {
            List<String> expectedNames = expected.map(p -> p.getFileName().toString()).sorted().toList();
            assertThat(actual.map(p -> p.getFileName().toString()).sorted().toList()).isEqualTo(expectedNames);
            for (String name : expectedNames) {
                assertThat(actualDir.resolve(name)).as(name).hasSameBinaryContentAs(expectedDir.resolve(name));
            }
        }
    }

    /** An F32 tensor [n] with values 0, 1, ..., n-1, stored as little-endian bytes. */
    private static TensorBytes f32(String name, int n) {
        MemorySegment data = MemorySegment.ofArray(new byte[4 * n]);
        for (int i = 0; i < n; i++) {
            data.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), i, i);
        }
        return new TensorBytes(name, DType.F32, new long[] {n}, data);
    }
}
