package io.rlhf4j.nn.generation;

/** Turns token ids into text (a tokenizer's decode); generation uses it to find stop strings. */
@FunctionalInterface
public interface TokenDecoder {

    String decode(long[] ids);
}
