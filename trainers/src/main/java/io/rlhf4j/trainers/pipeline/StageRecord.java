package io.rlhf4j.trainers.pipeline;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.LinkedHashMap;
import java.util.Map;

/** One stage's entry in pipeline_history.json. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class StageRecord {

    /** Started, not finished: --resume continues it from its newest checkpoint. */
    public static final String RUNNING = "running";
    public static final String COMPLETE = "complete";
    /** An eval stage whose gate failed and stopped the pipeline (--resume runs it again). */
    public static final String GATE_FAILED = "gate_failed";

    @JsonProperty("type")
    public String type;

    @JsonProperty("status")
    public String status;

    @JsonProperty("output_dir")
    public String outputDir;

    /** The model a policy stage (or eval) started from. */
    @JsonProperty("input_model")
    public String inputModel;

    @JsonProperty("steps")
    public Long steps;

    @JsonProperty("wall_time_s")
    public Double wallTimeSeconds;

    /** Final metrics: the last logged value of each training metric, or the evaluation's metrics. */
    @JsonProperty("metrics")
    public Map<String, Double> metrics = new LinkedHashMap<>();

    /** Task accuracy of the starting model and of the output (policy stages with accuracy_file). */
    @JsonProperty("accuracy_before")
    public Double accuracyBefore;

    @JsonProperty("accuracy_after")
    public Double accuracyAfter;

    /** Eval stages with thresholds: whether every gate passed. */
    @JsonProperty("gate_passed")
    public Boolean gatePassed;

    /** Eval stages whose gate failed with on_fail: rollback: the policy stage rolled back. */
    @JsonProperty("rolled_back_stage")
    public String rolledBackStage;

    /** Policy stages: true once a later failed gate rolled this stage's policy back. */
    @JsonProperty("rolled_back")
    public Boolean rolledBack;
}
