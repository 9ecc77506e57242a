package dev.streamtree.monitor.drift;

import java.util.Random;

/** Seeded 0/1 error streams for the detector tests. */
final class ErrorStreams {

    private ErrorStreams() {
    }

    /** {@code before} items with error rate {@code p0}, then {@code after} items with rate {@code p1}. */
    static double[] step(long seed, int before, double p0, int after, double p1) {
        Random random = new Random(seed);
        double[] values = new double[before + after];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextDouble() < (i < before ? p0 : p1) ? 1 : 0;
        }
        return values;
    }

    /** Index of the first item on which the detector fires, or -1. */
    static int firstDetection(DriftDetector detector, double[] values) {
        for (int i = 0; i < values.length; i++) {
            if (detector.add(values[i])) {
                return i;
            }
        }
        return -1;
    }

    /** How many times the detector fires over the values. */
    static int detections(DriftDetector detector, double[] values) {
        int count = 0;
        for (double value : values) {
            if (detector.add(value)) {
                count++;
            }
        }
        return count;
    }
}
