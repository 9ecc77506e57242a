package dev.streamtree.bench.spike;

/**
 * One micro-batch's lake write.
 *
 * @param totalNanos  from the start of the batch's lake work to its commit
 * @param driverNanos the driver's table bookkeeping: begin, commit (and, for Iceberg, the replay check)
 * @param tasksNanos  the Spark job whose tasks write the data files
 * @param files       data files the batch added
 */
record BatchTiming(long totalNanos, long driverNanos, long tasksNanos, int files) {
}
