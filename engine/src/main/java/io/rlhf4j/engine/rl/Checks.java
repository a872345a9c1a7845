package io.rlhf4j.engine.rl;

/** Argument checks and F32/F64 conversions shared by the RL reference kernels. */
final class Checks {

    private Checks() {
    }

    static void sameLength(String a, int lenA, String b, int lenB) {
        if (lenA != lenB) {
            throw new IllegalArgumentException(a + " has " + lenA + " elements but " + b + " has " + lenB);
        }
    }

    static void length(String name, int actual, long expected) {
        if (actual != expected) {
            throw new IllegalArgumentException(name + " has " + actual + " elements, expected " + expected);
        }
    }

    static double[] widen(float[] x) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i];
        }
        return out;
    }

    static void narrow(double[] x, float[] out) {
        for (int i = 0; i < x.length; i++) {
            out[i] = (float) x[i];
        }
    }
}
