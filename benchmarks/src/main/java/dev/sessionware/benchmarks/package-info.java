/**
 * JMH benchmarks of the pipeline, the codec and the sinks, each against a baseline;
 * {@link dev.sessionware.benchmarks.OverheadReport} turns a run's results into the overhead over the
 * baselines and checks the targets. Run them with {@code benchmarks/run.sh}.
 */
package dev.sessionware.benchmarks;
