package io.rlhf4j.trainers.ppo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The metrics TRL's PPOTrainer logs, under its names: per rollout objective/kl, objective/entropy,
 * objective/non_score_reward, objective/rlhf_reward, objective/scores, val/num_eos_tokens; per
 * micro-batch policy/approxkl_avg, policy/clipfrac_avg, loss/policy_avg, loss/value_avg,
 * val/clipfrac_avg, policy/entropy_avg, val/ratio and val/ratio_var (the variance, unbiased as
 * torch's var(), of the micro-batch ratio means); plus objective/kl_coef, the controller's value.
 * TRL logs once per rollout; here each log averages what happened since the previous one.
 */
final class PPOMetrics {

    /**
     * A rollout's objective metrics as TRL computes them: kl.sum(1).mean(),
     * (−logprobs).sum(1).mean() (padding holds INVALID_LOGPROB = 1, so each pad position adds −1,
     * as in TRL), non_score_reward.sum(1).mean(), that plus scores.mean(), scores.mean().
     */
    record Rollout(double kl, double entropy, double nonScoreReward, double rlhfReward, double scores) {

        static Rollout of(PPOAdvantages.Result r, int rows, int cols) {
            double kl = 0;
            double entropy = 0;
            double nonScore = 0;
            double scores = 0;
            for (int i = 0; i < rows; i++) {
                for (int t = 0; t < cols; t++) {
                    int k = i * cols + t;
                    kl += r.kl()[k];
                    entropy -= r.logprobs()[k];
                    nonScore += r.nonScoreReward()[k];
                }
                scores += r.scores()[i];
            }
            return new Rollout(kl / rows, entropy / rows, nonScore / rows, nonScore / rows + scores / rows,
                    scores / rows);
        }
    }

    private final Map<String, List<Double>> values = new LinkedHashMap<>();
    private final List<Double> ratios = new ArrayList<>();
    private double lastRolloutKl;

    private void add(String name, double value) {
        values.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
    }

    void rollout(Rollout r, long eosTokens, double klCoef) {
        lastRolloutKl = r.kl();
        add("objective/kl", r.kl());
        add("objective/entropy", r.entropy());
        add("objective/non_score_reward", r.nonScoreReward());
        add("objective/rlhf_reward", r.rlhfReward());
        add("objective/scores", r.scores());
        add("objective/kl_coef", klCoef);
        add("val/num_eos_tokens", eosTokens);
    }

    /** objective/kl of the latest rollout, what the adaptive KL controller tracks. */
    double lastRolloutKl() {
        return lastRolloutKl;
    }

    void microBatch(PPOLoss.Stats s) {
        add("policy/approxkl_avg", s.approxKl());
        add("policy/clipfrac_avg", s.policyClipfrac());
        add("loss/policy_avg", s.policyLoss());
        add("loss/value_avg", s.valueLoss());
        add("val/clipfrac_avg", s.valueClipfrac());
        add("policy/entropy_avg", s.entropy());
        add("val/ratio", s.ratioMean());
        ratios.add(s.ratioMean());
    }

    Map<String, Double> drain() {
        Map<String, Double> out = new LinkedHashMap<>();
        values.forEach((name, list) -> {
            double sum = 0;
            for (double v : list) {
                sum += v;
            }
            out.put(name, sum / list.size());
        });
        if (ratios.size() > 1) {
            double mean = out.get("val/ratio");
            double sq = 0;
            for (double r : ratios) {
                sq += (r - mean) * (r - mean);
            }
            out.put("val/ratio_var", sq / (ratios.size() - 1));
        }
        values.clear();
        ratios.clear();
        return out;
    }
}
