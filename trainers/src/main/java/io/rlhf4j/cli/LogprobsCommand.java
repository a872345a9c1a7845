package io.rlhf4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rlhf4j.nn.tokenizer.HfTokenizer;
import java.io.BufferedReader;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rlhf4j logprobs --model DIR --input FILE.jsonl [--output FILE.jsonl]}. */
@Command(name = "logprobs", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Score text with a model: the log-probability of each token given the tokens before it.",
            "Input lines (JSONL, blank lines skipped): {\"text\": T} scores every token of T after the first;"
                    + " {\"prompt\": P, \"response\": R} scores the tokens of R (the boundary is the token count of"
                    + " P tokenized alone, as TRL does). Both use the tokenizer's special tokens; no EOS is added.",
            "Output: one JSON line per input line, {\"input_ids\": [...], \"first_scored\": k, \"tokens\": [...],"
                    + " \"logprobs\": [...], \"sum\": s, \"mean\": m}. input_ids is the whole tokenized line;"
                    + " logprobs[i] = log p(input_ids[k + i] | input_ids[0 .. k + i - 1]) (natural log) and"
                    + " tokens[i] = decode([input_ids[k + i]]), the i-th scored token; sum and mean are over"
                    + " logprobs."})
final class LogprobsCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "Hugging Face model folder with its tokenizer (tokenizer.json, tokenizer_config.json).")
    Path model;

    @Option(names = "--input", required = true, paramLabel = "FILE", description = "JSONL lines to score.")
    Path input;

    @Option(names = "--output", paramLabel = "FILE", description = "Where to write the scores (default: stdout).")
    Path output;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "8",
            description = "Lines scored per forward pass, right-padded to the longest (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--tokens", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Include \"tokens\", the text of each scored token (default: on).")
    boolean tokens;

    @Override
    public Integer call() throws IOException {
        if (batchSize < 1) {
            throw new Main.UserError("--batch-size must be >= 1, got " + batchSize);
        }
        if (!Files.isRegularFile(input)) {
            throw new Main.UserError("--input " + input + ": no such file");
        }
        long start = System.nanoTime();
        long lines = 0;
        long scored = 0;
        try (ModelFolder folder = ModelFolder.load(model);
             BufferedReader in = Files.newBufferedReader(input, StandardCharsets.UTF_8);
             PrintStream out = open()) {
            HfTokenizer tokenizer = folder.tokenizer();
            LogprobScorer scorer = new LogprobScorer(folder.policy(), Math.max(0, tokenizer.specialTokens().padId()));
            List<ScoringRecord> batch = new ArrayList<>();
            long lineNumber = 0;
            for (String text = in.readLine(); text != null; text = in.readLine()) {
                lineNumber++;
                if (!text.isBlank()) {
                    batch.add(ScoringRecord.parse(text, input, lineNumber, tokenizer));
                }
                if (batch.size() == batchSize) {
                    scored += write(batch, scorer.score(batch), tokenizer, out);
                    lines += batch.size();
                    batch.clear();
                }
            }
            if (!batch.isEmpty()) {
                scored += write(batch, scorer.score(batch), tokenizer, out);
                lines += batch.size();
            }
        }
        System.err.printf(Locale.ROOT, "logprobs: scored %d tokens of %d lines in %.2f s%n", scored, lines,
                (System.nanoTime() - start) / 1e9);
        return 0;
    }

    /** The output file, or stdout (left open) as UTF-8. */
    private PrintStream open() throws IOException {
        OutputStream target = output == null ? new NonClosing(System.out) : Files.newOutputStream(output);
        return new PrintStream(target, false, StandardCharsets.UTF_8);
    }

    private long write(List<ScoringRecord> batch, List<float[]> scores, HfTokenizer tokenizer, PrintStream out)
            throws IOException {
        long count = 0;
        for (int b = 0; b < batch.size(); b++) {
            ScoringRecord r = batch.get(b);
            float[] logprobs = scores.get(b);
            ObjectNode line = JSON.createObjectNode();
            ArrayNode ids = line.putArray("input_ids");
            for (long id : r.ids()) {
                ids.add(id);
            }
            line.put("first_scored", r.firstScored());
            if (tokens) {
                ArrayNode texts = line.putArray("tokens");
                for (int i = r.firstScored(); i < r.ids().length; i++) {
                    texts.add(tokenizer.decode(new long[] {r.ids()[i]}, false));
                }
            }
            ArrayNode values = line.putArray("logprobs");
            double sum = 0;
            for (float v : logprobs) {
                values.add(v);
                sum += v;
            }
            line.put("sum", sum);
            line.put("mean", sum / logprobs.length);
            out.println(JSON.writeValueAsString(line));
            count += logprobs.length;
        }
        out.flush();
        return count;
    }

    /** Stdout wrapped so that closing the command's stream leaves it open. */
    private static final class NonClosing extends FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        /** Whole arrays at once (FilterOutputStream would write them byte by byte). */
        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
