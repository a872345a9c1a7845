package io.rlhf4j.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rlhf4j.engine.cuda.CudaRuntime;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;

/**
 * Runs the CUDA benchmarks ({@link CudaRlBench}, {@link CudaCopyBench}) and writes a summary with
 * bytes/s and the ratio to the measured device-to-device copy bandwidth; on a machine without a
 * CUDA device it prints "skipped: no CUDA device (reason)", writes a summary saying so and exits 0.
 *
 * <pre>
 *   java -cp rlhf4j-gpu.jar io.rlhf4j.bench.GpuBench SUMMARY.json [JMH options and benchmark regexps]
 * </pre>
 */
public final class GpuBench {

    private GpuBench() {
    }

    public static void main(String[] args) throws IOException, RunnerException, CommandLineOptionException {
        if (args.length < 1) {
            throw new IllegalArgumentException("usage: GpuBench SUMMARY.json [JMH options]");
        }
        Path summary = Path.of(args[0]);
        ObjectMapper json = new ObjectMapper();
        ObjectNode out = json.createObjectNode();
        if (!CudaRuntime.isAvailable()) {
            System.out.println("skipped: no CUDA device (" + CudaRuntime.unavailableReason() + ")");
            out.put("skipped", true).put("reason", "no CUDA device: " + CudaRuntime.unavailableReason());
            json.writerWithDefaultPrettyPrinter().writeValue(summary.toFile(), out);
            return;
        }
        String[] jmhArgs = java.util.Arrays.copyOfRange(args, 1, args.length);
        Collection<RunResult> results = new Runner(new CommandLineOptions(jmhArgs)).run();
        out.put("skipped", false).put("device", CudaRuntime.device(0).toString());
        double copyBytesPerSecond = 0;
        ArrayNode rows = out.putArray("benchmarks");
        for (RunResult r : results) {
            BenchmarkParams p = r.getParams();
            String name = p.getBenchmark().substring(p.getBenchmark().lastIndexOf('.', p.getBenchmark().lastIndexOf('.') - 1) + 1);
            double msPerOp = r.getPrimaryResult().getScore();
            double bytes = bytesPerOp(name, p);
            double bytesPerSecond = bytes / (msPerOp * 1e-3);
            if (name.equals("CudaCopyBench.copyDtoD")) {
                copyBytesPerSecond = bytesPerSecond;
            }
            ObjectNode row = rows.addObject().put("benchmark", name).put("ms_per_op", msPerOp)
                    .put("ms_per_op_error", r.getPrimaryResult().getScoreError()).put("bytes_per_op", bytes)
                    .put("GB_per_s", bytesPerSecond / 1e9);
            for (String key : p.getParamsKeys()) {
                row.put(key, p.getParam(key));
            }
        }
        for (var row : rows) {
            ObjectNode o = (ObjectNode) row;
            if (copyBytesPerSecond > 0) {
                o.put("fraction_of_copy_bandwidth", o.get("GB_per_s").asDouble() * 1e9 / copyBytesPerSecond);
            }
            System.out.println("GPU bench " + o);
        }
        json.writerWithDefaultPrettyPrinter().writeValue(summary.toFile(), out);
    }

    /** Minimum bytes moved per op, as documented on each benchmark. */
    static double bytesPerOp(String name, BenchmarkParams p) {
        return switch (name) {
            case "CudaCopyBench.copyDtoD" -> 2.0 * param(p, "mib") * (1 << 20);
            case "CudaRlBench.lsgForward" -> param(p, "rows") * (param(p, "vocab") * 2.0 + 12);
            case "CudaRlBench.lsgForwardBackward" -> param(p, "rows") * (3.0 * param(p, "vocab") * 2 + 28);
            case "CudaRlBench.gae" -> 20.0 * param(p, "gaeBatch") * param(p, "gaeLen");
            case "CudaRlBench.k3MaskedMean" -> 12.0 * param(p, "klElements");
            default -> Double.NaN;
        };
    }

    private static double param(BenchmarkParams p, String key) {
        return Double.parseDouble(p.getParam(key));
    }
}
