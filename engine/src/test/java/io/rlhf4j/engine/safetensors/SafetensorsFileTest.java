package io.rlhf4j.engine.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.rlhf4j.engine.DType;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SafetensorsFileTest {

    private static final JsonNode EXPECTED = Fixtures.expected(Fixtures.file("expected.json"));

    @Test
    void readsEveryFileTheLibraryWroteWithExactValues() throws IOException {
        List<String> checked = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : EXPECTED.get("files").properties()) {
            try (SafetensorsFile file = SafetensorsFile.open(Fixtures.file(e.getKey()))) {
                Fixtures.assertMatches(file, e.getValue());
            }
            checked.add(e.getKey());
        }
        assertThat(checked).contains("mixed.safetensors", "metadata.safetensors", "dtypes/F8_E4M3.safetensors",
                "sharded/model-00001-of-00003.safetensors");
    }

    @Test
    void fixturesCoverEveryDtype() throws IOException {
        Set<DType> seen = EnumSet.noneOf(DType.class);
        for (DType dtype : DType.values()) {
            try (SafetensorsFile file = SafetensorsFile.open(Fixtures.file("dtypes/" + dtype.safetensorsName() + ".safetensors"))) {
                file.entries().forEach(e -> seen.add(e.dtype()));
            }
        }
        assertThat(seen).containsExactlyInAnyOrder(DType.values());
    }

    @Test
    void entriesAreZeroCopySlicesOfTheMappedFile() throws IOException {
        try (SafetensorsFile file = SafetensorsFile.open(Fixtures.file("mixed.safetensors"))) {
            long offset = 0;
            for (TensorEntry e : file.entries()) {
                assertThat(e.data().isMapped()).isTrue();
                assertThat(e.byteOffset()).as(e.name()).isEqualTo(offset);
                assertThat(e.byteLength()).isEqualTo(e.elementCount() * e.dtype().byteSize());
                offset += e.byteLength();
            }
            assertThat(file.get("empty").shape()).containsExactly(0, 3);
            assertThat(file.get("empty").byteLength()).isZero();
            assertThat(file.get("step").shape()).isEmpty();
            assertThat(file.get("step").elementCount()).isEqualTo(1);
        }
    }

    @Test
    void dataIsUnusableAfterClose() throws IOException {
        TensorEntry entry;
        try (SafetensorsFile file = SafetensorsFile.open(Fixtures.file("mixed.safetensors"))) {
            entry = file.get("ids");
            assertThat(TensorValues.toLongs(entry)).containsExactly(5, 7, 11, 13);
        }
        assertThatThrownBy(() -> TensorValues.toLongs(entry)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void unknownNameNamesTheFile() throws IOException {
        try (SafetensorsFile file = SafetensorsFile.open(Fixtures.file("mixed.safetensors"))) {
            assertThat(file.contains("nope")).isFalse();
            assertThatThrownBy(() -> file.get("nope")).isInstanceOf(NoSuchElementException.class)
                    .hasMessageContaining("mixed.safetensors").hasMessageContaining("'nope'");
        }
    }

    @Test
    void shapeArraysCannotBeChangedFromOutside() throws IOException {
        try (SafetensorsFile file = SafetensorsFile.open(Fixtures.file("mixed.safetensors"))) {
            file.get("z.weight").shape()[0] = 99;
            assertThat(file.get("z.weight").shape()).containsExactly(2, 2);
        }
    }
}
