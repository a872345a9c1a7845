package io.rlhf4j.trainers.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rlhf4j.engine.Device;
import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import io.rlhf4j.engine.optim.SGD;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Against torch.amp.GradScaler, recorded by src/test/python/make_grad_scaler_fixture.py. */
class GradScalerTest {

    private static JsonNode fixture() throws Exception {
        try (InputStream in = GradScalerTest.class.getResourceAsStream("/fixtures/grad_scaler.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    private static float[] floats(JsonNode array) {
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = array.get(i);
            out[i] = v.isTextual() ? Float.parseFloat(v.asText().replace("inf", "Infinity").replace("nan", "NaN"))
                    : (float) v.asDouble();
        }
        return out;
    }

    private static GradScaler scaler(JsonNode f) {
        return new GradScaler(f.get("init_scale").asDouble(), 2.0, 0.5, f.get("growth_interval").asInt());
    }

    @Test
    void unscaleMatchesTorchBitwise() throws Exception {
        JsonNode f = fixture();
        GradScaler s = scaler(f);
        for (JsonNode step : f.get("steps")) {
            assertThat(s.scale(Tensor.scalar(1.0)).item()).isEqualTo(step.get("scaled_one").asDouble());
            Tensor p = Tensor.zeros(DType.F32, 3).requiresGrad(true);
            p.setGrad(Tensor.of(floats(step.get("grad")), 3));
            boolean inf = s.unscale(List.of(p));
            assertThat(inf).isEqualTo(!step.get("stepped").asBoolean());
            float[] expected = floats(step.get("unscaled"));
            float[] actual = p.grad().toFloatArray();
            for (int i = 0; i < 3; i++) {
                assertThat(Float.floatToRawIntBits(actual[i]) == Float.floatToRawIntBits(expected[i])
                        || (Float.isNaN(actual[i]) && Float.isNaN(expected[i])))
                        .as("step grad %s element %d: %s vs torch %s", step.get("grad"), i, actual[i], expected[i])
                        .isTrue();
            }
            s.update(inf);
            assertThat(s.scale()).isEqualTo(step.get("scale_after").asDouble());
        }
    }

    @Test
    void clipAndStepSkipsOverflowingStepsLikeTorch() throws Exception {
        JsonNode f = fixture();
        DeviceManager dm = new DeviceManager(Device.CPU, Precision.FP16, scaler(f));
        Tensor p = Tensor.zeros(DType.F32, 3).requiresGrad(true);
        SGD sgd = new SGD(List.of(p), 1.0);
        List<Boolean> stepped = new ArrayList<>();
        List<Boolean> expected = new ArrayList<>();
        for (JsonNode step : f.get("steps")) {
            p.setGrad(Tensor.of(floats(step.get("grad")), 3));
            float[] before = p.toFloatArray();
            StepResult r = dm.clipAndStep(sgd, null, List.of(p), 0);
            stepped.add(r.stepped());
            expected.add(step.get("stepped").asBoolean());
            assertThat(r.lossScale()).isEqualTo(step.get("scale_after").asDouble());
            if (!r.stepped()) {
                assertThat(p.toFloatArray()).isEqualTo(before);
                assertThat(r.gradNorm()).isNaN();
            }
            assertThat(p.grad().toFloatArray()).containsOnly(0f);
        }
        assertThat(stepped).isEqualTo(expected);
    }

    @Test
    void stateDictRoundTrip() {
        GradScaler a = new GradScaler(1024, 2, 0.5, 5);
        a.update(false);
        a.update(false);
        a.update(true);
        a.update(false);
        GradScaler b = new GradScaler(1024, 2, 0.5, 5);
        b.loadStateDict(a.stateDict());
        assertThat(b.stateDict()).isEqualTo(a.stateDict());
        assertThat(b.stateDict()).containsEntry("scale", 512.0).containsEntry("_growth_tracker", 1.0);
        assertThatThrownBy(() -> b.loadStateDict(java.util.Map.of())).hasMessageContaining("'scale'");
    }

    @Test
    void defaultsAreTorchs() {
        GradScaler s = new GradScaler();
        assertThat(s.scale()).isEqualTo(65536.0);
        for (int i = 0; i < 1999; i++) {
            s.update(false);
        }
        assertThat(s.scale()).isEqualTo(65536.0);
        s.update(false);
        assertThat(s.scale()).isEqualTo(131072.0);
        s.update(true);
        assertThat(s.scale()).isEqualTo(65536.0);
    }
}
