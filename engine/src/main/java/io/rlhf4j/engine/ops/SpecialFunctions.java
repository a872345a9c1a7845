package io.rlhf4j.engine.ops;

/** Scalar special functions the JDK lacks, accurate to double precision. */
public final class SpecialFunctions {

    private static final double EPS = 1e-17;
    private static final double SQRT_PI = Math.sqrt(Math.PI);

    private SpecialFunctions() {
    }

    /**
     * erf(x) = P(1/2, x²)·sign(x), the regularised lower incomplete gamma function, evaluated by
     * its power series for x² < 1.5 and by the Lentz continued fraction for Q otherwise
     * (Numerical Recipes, 3rd ed., §6.2); both converge to full double precision.
     */
    public static double erf(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        double a = Math.abs(x);
        double x2 = a * a;
        double r = x2 < 1.5 ? lowerGammaSeries(x2) : 1 - upperGammaFraction(x2);
        return x < 0 ? -r : r;
    }

    /** P(1/2, z) by its series: e^{-z} z^{1/2} / Γ(3/2) · Σ zⁿ / ((3/2)(5/2)⋯). */
    private static double lowerGammaSeries(double z) {
        if (z == 0) {
            return 0;
        }
        double ap = 0.5;
        double sum = 1 / 0.5;
        double del = sum;
        for (int n = 0; n < 500; n++) {
            ap += 1;
            del *= z / ap;
            sum += del;
            if (Math.abs(del) < Math.abs(sum) * EPS) {
                break;
            }
        }
        return sum * Math.exp(-z + 0.5 * Math.log(z)) / SQRT_PI;
    }

    /** Q(1/2, z) by the modified Lentz continued fraction. */
    private static double upperGammaFraction(double z) {
        double tiny = 1e-300;
        double b = z + 1 - 0.5;
        double c = 1 / tiny;
        double d = 1 / b;
        double h = d;
        for (int i = 1; i < 500; i++) {
            double an = -i * (i - 0.5);
            b += 2;
            d = an * d + b;
            if (Math.abs(d) < tiny) {
                d = tiny;
            }
            c = b + an / c;
            if (Math.abs(c) < tiny) {
                c = tiny;
            }
            d = 1 / d;
            double del = d * c;
            h *= del;
            if (Math.abs(del - 1) < EPS) {
                break;
            }
        }
        return Math.exp(-z + 0.5 * Math.log(z)) * h / SQRT_PI;
    }
}
