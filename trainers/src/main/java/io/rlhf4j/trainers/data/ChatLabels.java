package io.rlhf4j.trainers.data;

import io.rlhf4j.engine.F;
import io.rlhf4j.nn.tokenizer.HfTokenizer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Tokens and assistant-only labels of a conversation ({@code {"messages": [{role, content}, …]}})
 * rendered with the tokenizer's chat template.
 *
 * <p>TRL gets assistant masks from {@code {% generation %}} blocks in the template
 * ({@code return_assistant_tokens_mask}); few shipped templates have them. Here the spans come
 * from rendering prefixes instead: for the assistant turn at index i,
 * <pre>
 *   start = len(tokens(render(messages[:i],   add_generation_prompt=True)))
 *   end   = len(tokens(render(messages[:i+1], add_generation_prompt=False)))
 * </pre>
 * and labels are the token ids on [start, end), −100 elsewhere. The span thus covers what the
 * model must generate after the generation prompt: the reply, anything the template puts before it
 * (Qwen3's empty think block), and the end-of-turn token. Each prefix's tokens must be a prefix of
 * the whole conversation's tokens; a template for which that fails (one that rewrites earlier turns
 * depending on later ones) is reported, since its spans cannot be located this way. Rendered text is
 * tokenized without adding special tokens, as apply_chat_template(tokenize=True) does: the template
 * writes them itself.
 */
final class ChatLabels {

    private ChatLabels() {
    }

    static SFTExample encode(HfTokenizer tokenizer, List<Map<String, Object>> messages, boolean assistantOnly) {
        long[] ids = tokens(tokenizer, messages, false);
        if (!assistantOnly) {
            return SFTExample.allTokens(ids);
        }
        long[] labels = new long[ids.length];
        Arrays.fill(labels, F.IGNORE_INDEX);
        boolean any = false;
        for (int i = 0; i < messages.size(); i++) {
            if (!"assistant".equals(messages.get(i).get("role"))) {
                continue;
            }
            int start = prefixLength(tokenizer, messages.subList(0, i), true, ids, i);
            int end = prefixLength(tokenizer, messages.subList(0, i + 1), false, ids, i);
            for (int t = start; t < end; t++) {
                labels[t] = ids[t];
                any = true;
            }
        }
        if (!any) {
            throw new IllegalArgumentException("messages have no assistant turn to learn from (assistant_only_loss)");
        }
        return new SFTExample(ids, labels);
    }

    private static int prefixLength(HfTokenizer tokenizer, List<Map<String, Object>> prefix, boolean generationPrompt,
            long[] whole, int turn) {
        long[] p = tokens(tokenizer, prefix, generationPrompt);
        if (p.length > whole.length || !Arrays.equals(p, 0, p.length, whole, 0, p.length)) {
            throw new IllegalArgumentException("the chat template does not render messages[:" + (generationPrompt ? turn
                    : turn + 1) + "] as a prefix of the whole conversation, so the assistant turn at index " + turn
                    + " cannot be located; set assistant_only_loss: false to train on every token");
        }
        return p.length;
    }

    private static long[] tokens(HfTokenizer tokenizer, List<Map<String, Object>> messages, boolean generationPrompt) {
        if (messages.isEmpty() && !generationPrompt) {
            return new long[0];
        }
        return tokenizer.encode(tokenizer.applyChatTemplate(messages, generationPrompt, Map.of()), false);
    }
}
