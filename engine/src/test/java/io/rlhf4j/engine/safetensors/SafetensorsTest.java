package io.rlhf4j.engine.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {

    @TempDir
    Path dir;

    @Test
    void loadWrapsTheMappedFileWithoutCopying() throws IOException {
        Map<String, Tensor> tensors = Safetensors.load(Fixtures.file("mixed.safetensors"));
        assertThat(tensors.keySet()).containsExactly("ids", "d", "a.bias", "empty", "z.weight", "step", "emb", "half",
                "u8", "mask");
        Tensor weight = tensors.get("z.weight");
        assertThat(weight.dtype()).isEqualTo(DType.F32);
        assertThat(weight.shape()).containsExactly(2, 2);
        assertThat(weight.segment().isMapped()).isTrue();
        assertThat(weight.segment().isReadOnly()).isTrue();
        assertThat(weight.toFloatArray()).containsExactly(0f, 1f / 3, 2f / 3, 1f);

        assertThat(tensors.get("emb").dtype()).as("BF16 is kept, not widened").isEqualTo(DType.BF16);
        assertThat(tensors.get("emb").segment().isMapped()).isTrue();
        assertThat(tensors.get("ids").toLongArray()).containsExactly(5, 7, 11, 13);
        assertThat(tensors.get("step").shape()).isEmpty();
        assertThat(tensors.get("step").item()).isEqualTo(1234.0);
        assertThat(tensors.get("empty").shape()).containsExactly(0, 3);
        assertThat(tensors.get("mask").toLongArray()).containsExactly(1, 1, 0, 1);
    }

    @Test
    void loadedTensorsOutliveTheirFileObject() throws IOException {
        Tensor half = Safetensors.load(Fixtures.file("mixed.safetensors")).get("half");
        System.gc();
        assertThat(half.toDoubleArray()).containsExactly(0.5, -3.0);
    }

    @Test
    void loadedTensorsAreReadOnly() throws IOException {
        Tensor bias = Safetensors.load(Fixtures.file("mixed.safetensors")).get("a.bias");
        assertThatThrownBy(() -> bias.set(0.0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(bias.toFloatArray()).containsExactly(-1.5f, 2.25f);
    }

    @Test
    void saveWritesViewsAsTheirContiguousContents() throws IOException {
        Tensor matrix = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("transposed", matrix.transpose(0, 1));
        tensors.put("row", matrix.narrow(0, 1, 1));
        tensors.put("ids", Tensor.ofLongs(new long[] {Long.MAX_VALUE, -3}, 2));
        tensors.put("bf16", matrix.to(DType.BF16));
        Path file = dir.resolve("saved.safetensors");
        Safetensors.save(file, tensors, Map.of("format", "pt"));

        Map<String, Tensor> loaded = Safetensors.load(file);
        assertThat(loaded.get("transposed").shape()).containsExactly(3, 2);
        assertThat(loaded.get("transposed").toFloatArray()).containsExactly(1, 4, 2, 5, 3, 6);
        assertThat(loaded.get("row").shape()).containsExactly(1, 3);
        assertThat(loaded.get("row").toFloatArray()).containsExactly(4, 5, 6);
        assertThat(loaded.get("ids").toLongArray()).containsExactly(Long.MAX_VALUE, -3);
        assertThat(loaded.get("bf16").dtype()).isEqualTo(DType.BF16);
        assertThat(loaded.get("bf16").toFloatArray()).containsExactly(1, 2, 3, 4, 5, 6);
        try (SafetensorsFile read = SafetensorsFile.open(file)) {
            assertThat(read.metadata()).isEqualTo(Map.of("format", "pt"));
        }
    }

    @Test
    void checkpointsLoadAndSaveThroughTheIndex() throws IOException {
        Map<String, Tensor> hub = Safetensors.loadCheckpoint(Fixtures.file("sharded"));
        assertThat(hub.keySet()).containsExactly("embed.weight", "head.weight", "layer.0.weight", "layer.0.bias");
        assertThat(hub.get("layer.0.bias").toFloatArray()).containsExactly(1, 2, 3, 4);

        Safetensors.saveCheckpoint(dir, hub, Map.of(), 100);
        assertThat(dir.resolve("model.safetensors.index.json")).exists();
        Map<String, Tensor> again = Safetensors.loadCheckpoint(dir);
        assertThat(again.keySet()).isEqualTo(hub.keySet());
        for (String name : hub.keySet()) {
            assertThat(again.get(name).toDoubleArray()).as(name).isEqualTo(hub.get(name).toDoubleArray());
        }
    }
}
