package io.rlhf4j.engine.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rlhf4j.engine.DType;
import io.rlhf4j.engine.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Compares the ops with outputs of torch 2.13 stored by
 * {@code engine/src/test/python/make_indexing_fixtures.py}. Tolerances: softmax and
 * logsumexp within 2e-6 + 2e-5·|expected| (F32 exp and summation order differ from torch's);
 * cumsum within 1e-6 + 1e-6·|expected|; gather, where, topk values and argmax exactly. NaN and
 * ±inf must match exactly.
 */
class IndexingFixturesTest {

    private static JsonNode cases;

    @BeforeAll
    static void load() throws IOException {
        try (InputStream in = IndexingFixturesTest.class.getResourceAsStream("/ops/indexing_fixtures.json")) {
            assertThat(in).as("fixture file").isNotNull();
            cases = new ObjectMapper().readTree(in).get("cases");
        }
    }

    @Test
    void softmaxFamilyMatchesTorch() {
        int checked = 0;
        for (JsonNode c : cases.get("softmax")) {
            Tensor x = tensor(c.get("x"));
            int dim = c.get("dim").asInt();
            String what = c.get("name").asText() + " dim " + dim;
            assertClose(x.softmax(dim), c.get("softmax"), 2e-6, 2e-5, "softmax " + what);
            assertClose(x.logSoftmax(dim), c.get("log_softmax"), 2e-6, 2e-5, "log_softmax " + what);
            assertClose(x.logsumexp(dim, false), c.get("logsumexp"), 2e-6, 2e-5, "logsumexp " + what);
            checked++;
        }
        assertThat(checked).isEqualTo(5);
    }

    @Test
    void gatherMatchesTorch() {
        for (JsonNode c : cases.get("gather")) {
            Tensor out = tensor(c.get("x")).gather(c.get("dim").asInt(), tensor(c.get("index")));
            assertClose(out, c.get("out"), 0, 0, "gather dim " + c.get("dim"));
        }
    }

    @Test
    void cumsumMatchesTorch() {
        for (JsonNode c : cases.get("cumsum")) {
            assertClose(tensor(c.get("x")).cumsum(c.get("dim").asInt()), c.get("out"), 1e-6, 1e-6, "cumsum");
        }
    }

    @Test
    void whereMatchesTorch() {
        JsonNode c = cases.get("where").get(0);
        Tensor out = Tensor.where(tensor(c.get("cond")), tensor(c.get("a")), tensor(c.get("b")));
        assertClose(out, c.get("out"), 0, 0, "where");
    }

    @Test
    void topkValuesMatchTorchAndIndicesPointAtThem() {
        for (JsonNode c : cases.get("topk")) {
            Tensor x = tensor(c.get("x"));
            int dim = c.has("dim") ? c.get("dim").asInt() : 1;
            int k = c.get("k").asInt();
            TopK.Result r = x.topk(k, dim, c.get("largest").asBoolean());
            String what = "topk k=" + k + " dim=" + dim + " largest=" + c.get("largest");
            assertClose(r.values(), c.get("values"), 0, 0, what);
            assertThat(r.indices().dtype()).isEqualTo(DType.I64);
            assertThat(x.gather(dim, r.indices()).toFloatArray()).as(what).containsExactly(r.values().toFloatArray());
            assertSameIndicesForCompleteTieGroups(x, dim, r.indices(), tensor(c.get("indices")), what);
        }
    }

    @Test
    void stableSortMatchesTorchIncludingTieOrder() {
        for (JsonNode c : cases.get("sort")) {
            TopK.Result r = tensor(c.get("x")).sort(1, c.get("descending").asBoolean());
            assertClose(r.values(), c.get("values"), 0, 0, "sort values");
            assertThat(r.indices().toLongArray()).containsExactly(tensor(c.get("indices")).toLongArray());
        }
    }

    @Test
    void argmaxAndArgminMatchTorchOnTies() {
        JsonNode c = cases.get("argmax").get(0);
        Tensor x = tensor(c.get("x"));
        assertThat(x.argmax(1, false).toLongArray()).containsExactly(tensor(c.get("argmax")).toLongArray());
        assertThat(x.argmin(1, false).toLongArray()).containsExactly(tensor(c.get("argmin")).toLongArray());
        assertThat(x.argmax(0, false).toLongArray()).containsExactly(tensor(c.get("argmax_dim0")).toLongArray());
    }

    /**
     * torch leaves the order of equal values unspecified, so indices are compared as sets for
     * every value whose occurrences all made it into the top k (then both must list exactly them).
     */
    private static void assertSameIndicesForCompleteTieGroups(Tensor x, int dim, Tensor ours, Tensor theirs,
            String what) {
        Tensor xr = x.transpose(dim, -1).contiguous();
        Tensor or = ours.transpose(dim, -1).contiguous();
        Tensor tr = theirs.transpose(dim, -1).contiguous();
        int n = xr.shape(-1);
        int k = or.shape(-1);
        float[] xv = xr.toFloatArray();
        long[] ov = or.toLongArray();
        long[] tv = tr.toLongArray();
        for (int row = 0; row < ov.length / Math.max(1, k); row++) {
            Map<Float, Integer> inRow = new HashMap<>();
            for (int i = 0; i < n; i++) {
                inRow.merge(xv[row * n + i], 1, Integer::sum);
            }
            Map<Float, Set<Long>> oursByValue = new HashMap<>();
            Map<Float, Set<Long>> theirsByValue = new HashMap<>();
            for (int j = 0; j < k; j++) {
                oursByValue.computeIfAbsent(xv[row * n + (int) ov[row * k + j]], v -> new HashSet<>()).add(ov[row * k + j]);
                theirsByValue.computeIfAbsent(xv[row * n + (int) tv[row * k + j]], v -> new HashSet<>()).add(tv[row * k + j]);
            }
            for (Map.Entry<Float, Set<Long>> e : theirsByValue.entrySet()) {
                if (e.getValue().size() == inRow.get(e.getKey())) {
                    assertThat(oursByValue.get(e.getKey())).as(what + " row " + row + " value " + e.getKey())
                            .isEqualTo(e.getValue());
                }
            }
        }
    }

    static Tensor tensor(JsonNode node) {
        int[] shape = new int[node.get("shape").size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = node.get("shape").get(i).asInt();
        }
        JsonNode data = node.get("data");
        String dtype = node.get("dtype").asText();
        switch (dtype) {
            case "float32" -> {
                float[] v = new float[data.size()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) number(data.get(i));
                }
                return Tensor.of(v, shape);
            }
            case "int64" -> {
                long[] v = new long[data.size()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = data.get(i).asLong();
                }
                return Tensor.ofLongs(v, shape);
            }
            case "bool" -> {
                Tensor t = Tensor.empty(DType.BOOL, shape);
                for (int i = 0; i < data.size(); i++) {
                    t.view(data.size()).set(data.get(i).asBoolean() ? 1 : 0, i);
                }
                return t;
            }
            default -> throw new IllegalArgumentException("fixture dtype " + dtype);
        }
    }

    private static double number(JsonNode v) {
        if (v.isTextual()) {
            return switch (v.asText()) {
                case "inf" -> Double.POSITIVE_INFINITY;
                case "-inf" -> Double.NEGATIVE_INFINITY;
                case "nan" -> Double.NaN;
                default -> throw new IllegalArgumentException("fixture value " + v);
            };
        }
        return v.asDouble();
    }

    static void assertClose(Tensor actual, JsonNode expected, double abs, double rel, String what) {
        Tensor e = tensor(expected);
        assertThat(actual.shape()).as(what + " shape").containsExactly(e.shape());
        double[] a = actual.toDoubleArray();
        double[] x = e.toDoubleArray();
        for (int i = 0; i < a.length; i++) {
            if (Double.isNaN(x[i])) {
                assertThat(a[i]).as(what + " element " + i).isNaN();
            } else if (Double.isInfinite(x[i])) {
                assertThat(a[i]).as(what + " element " + i).isEqualTo(x[i]);
            } else {
                assertThat(Math.abs(a[i] - x[i])).as(what + " element " + i + ": " + a[i] + " vs torch " + x[i])
                        .isLessThanOrEqualTo(abs + rel * Math.abs(x[i]));
            }
        }
    }
}
