package io.rlhf4j.nn.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rlhf4j.engine.ops.fused.RotaryTables;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class ModelConfigTest {

    private static ModelConfig parse(String json) throws IOException {
        return ModelConfig.parse((ObjectNode) new ObjectMapper().readTree(json.replace('\'', '"')), "test.json");
    }

    private static final String LLAMA = "'model_type':'llama','vocab_size':100,'hidden_size':64,'intermediate_size':128,"
            + "'num_hidden_layers':2,'num_attention_heads':8";

    @Test
    void olderSpellingsTopLevelThetaRopeScalingTypeAndTorchDtype() throws IOException {
        ModelConfig old = parse("{" + LLAMA + ",'rope_theta':500000.0,'torch_dtype':'bfloat16',"
                + "'rope_scaling':{'type':'linear','factor':2.0}}");
        ModelConfig v5 = parse("{" + LLAMA + ",'dtype':'bfloat16',"
                + "'rope_parameters':{'rope_type':'linear','factor':2.0,'rope_theta':500000.0}}");
        for (ModelConfig c : new ModelConfig[] {old, v5}) {
            assertThat(c.ropeTheta()).isEqualTo(500000.0);
            assertThat(c.dtype()).isEqualTo("bfloat16");
            assertThat(c.ropeScaling().inverseFrequencies(new float[] {1f})).containsExactly(0.5f);
        }
    }

    @Test
    void defaultsFollowTransformers() throws IOException {
        ModelConfig c = parse("{" + LLAMA + "}");
        assertThat(c.numKvHeads()).isEqualTo(8);
        assertThat(c.headDim()).isEqualTo(8);
        assertThat(c.ropeTheta()).isEqualTo(10000.0);
        assertThat(c.ropeScaling()).isSameAs(RotaryTables.Scaling.NONE);
        assertThat(c.tieWordEmbeddings()).isFalse();
        assertThat(c.attentionBias()).isFalse();
        assertThat(c.slidingWindow()).isZero();
        assertThat(c.dtype()).isEqualTo("float32");
    }

    @Test
    void llama3RopeFallsBackToMaxPositionEmbeddingsForOriginalLength() throws IOException {
        ModelConfig a = parse("{" + LLAMA + ",'max_position_embeddings':32,'rope_scaling':{'rope_type':'llama3',"
                + "'factor':8.0,'low_freq_factor':1.0,'high_freq_factor':4.0}}");
        ModelConfig b = parse("{" + LLAMA + ",'rope_scaling':{'rope_type':'llama3','factor':8.0,'low_freq_factor':1.0,"
                + "'high_freq_factor':4.0,'original_max_position_embeddings':32}}");
        float[] base = RotaryTables.defaultInverseFrequencies(8, 10000);
        assertThat(a.ropeScaling().inverseFrequencies(base)).containsExactly(b.ropeScaling().inverseFrequencies(base));
        assertThat(a.ropeScaling().inverseFrequencies(base)).isNotEqualTo(base);
    }

    @Test
    void familyFlags() throws IOException {
        String rest = ",'vocab_size':10,'hidden_size':8,'intermediate_size':8,'num_hidden_layers':1,'num_attention_heads':2";
        assertThat(parse("{'model_type':'qwen2'" + rest + "}").attentionBias()).isTrue();
        assertThat(parse("{'model_type':'qwen3','head_dim':16" + rest + "}").headDim()).isEqualTo(16);
        assertThat(parse("{'model_type':'qwen3'" + rest + "}").hasQkNorm()).isTrue();
        assertThat(parse("{'model_type':'mistral','sliding_window':4096" + rest + "}").slidingWindow()).isEqualTo(4096);
        assertThat(parse("{'model_type':'qwen2','sliding_window':4096,'use_sliding_window':false" + rest + "}")
                .slidingWindow()).isZero();
        ModelConfig gpt2 = parse("{'model_type':'gpt2','vocab_size':50,'n_embd':32,'n_layer':2,'n_head':4,'n_positions':16}");
        assertThat(gpt2.intermediateSize()).isEqualTo(128);
        assertThat(gpt2.tieWordEmbeddings()).isTrue();
        assertThat(gpt2.maxPositionEmbeddings()).isEqualTo(16);
        assertThat(gpt2.headDim()).isEqualTo(8);
    }

    @Test
    void errorsNameTheFileAndField() {
        assertThatThrownBy(() -> parse("{'model_type':'falcon'}"))
                .hasMessageContaining("test.json").hasMessageContaining("'falcon' is not supported");
        assertThatThrownBy(() -> parse("{'model_type':'llama','vocab_size':10}"))
                .hasMessageContaining("test.json").hasMessageContaining("'hidden_size'");
        assertThatThrownBy(() -> parse("{" + LLAMA + ",'rope_scaling':{'rope_type':'yarn','factor':4.0}}"))
                .hasMessageContaining("rope type 'yarn' is not supported");
        assertThatThrownBy(() -> parse("{" + LLAMA + ",'hidden_act':'gelu'}")).hasMessageContaining("hidden_act 'gelu'");
        assertThatThrownBy(() -> parse("{" + LLAMA + ",'rope_scaling':{'rope_type':'linear'}}"))
                .hasMessageContaining("'factor'");
    }
}
