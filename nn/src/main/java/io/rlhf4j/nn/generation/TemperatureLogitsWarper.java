package io.rlhf4j.nn.generation;

/** scores / temperature in F32, as transformers' TemperatureLogitsWarper. */
public final class TemperatureLogitsWarper extends RowWarper {

    private final float temperature;

    public TemperatureLogitsWarper(double temperature) {
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be a strictly positive finite number, got "
                    + temperature);
        }
        this.temperature = (float) temperature;
    }

    @Override
    void warp(float[] row) {
        for (int i = 0; i < row.length; i++) {
            row[i] /= temperature;
        }
    }
}
