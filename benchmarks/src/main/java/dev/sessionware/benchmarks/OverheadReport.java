package dev.sessionware.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a JMH JSON result file and prints, as Markdown, the overhead of each variant over its
 * baseline measured in the same run, and whether the targets are met (each target is checked when
 * its benchmarks are in the file): Sessionware side by side with LangChain4j, Spring AI and a
 * hand-written floor (with the MDC on demand, both middleware with logging off within 100 ns and
 * 300 B and a whole prompt within 400 ns and 1 KB; a logged line within 5 % of LangChain4j's
 * listener writing the same fields); the codec within 1.1x of plain Jackson both ways; the JSON Lines sink at 1 million events a second or more; the stores, the tool
 * loop and the adapters. Exits 1 when a target is missed.
 */
public final class OverheadReport {
  private static final double MAX_CODEC_RATIO = 1.1;
  /** The starter's {@code ChatClient} path (its inference, span and events) over Spring AI's logger-advisor path. */
  private static final double MAX_CHAT_CLIENT_RATIO = 1.5;
  /** An AI service call as an inference of the runtime over LangChain4j's two-listener AI service. */
  private static final double MAX_AI_SERVICE_RATIO = 1.2;

  private static final double MIN_SQLITE_APPENDS = 5_000;
  private static final double MIN_POSTGRES_PARALLEL_APPENDS = 3_000;
  private static final double MAX_LOAD_LATEST_US = 1_000;
  private static final double MAX_TOOL_LOOP_NS = 2_000;
  private static final double MAX_TOOL_LOOP_BYTES = 2_048;

  private static final double MIN_SPRING_AI_SPEEDUP = 5;
  /** The key prefix of AdapterBenchmark's results, whose baselines share names with the side-by-side ones. */
  private static final String ADAPTER = "adapter.";
  private static final double MIN_BATCHED_EVENTS_PER_SECOND = 1_000_000;

  private static final double MAX_INSTRUMENTED_NS = 100;
  private static final double MAX_INSTRUMENTED_BYTES = 300;
  private static final double MAX_PROMPT_NS = 400;
  private static final double MAX_PROMPT_BYTES = 1_024;
  /** Issue 22: a whole prompt on the default runtime, ids copied into the MDC (the default). */
  private static final double MAX_DEFAULT_PROMPT_NS = 500;
  private static final double MAX_DEFAULT_PROMPT_BYTES = 1_024;
  /**
   * A line costs what its fields cost to format (about 600 ns and 4.5 KB on the reference machine for
   * the middleware's lines, LangChain4j's or ours alike), so the per-line target compares with
   * LangChain4j writing the same fields; two such rows of one run differ by a few per cent.
   */
  private static final double LINE_TOLERANCE = 0.05;
  /** Lines written per inference by the turn logging middleware, by the floor and by LangChain4j's listener. */
  private static final int SESSIONWARE_LINES = 2;
  private static final int LANGCHAIN4J_LINES = 1;

  /** The overhead of a variant over its baseline, in time and bytes. */
  private record Overhead(double ns, double bytes) {
    static Overhead of(Map<String, Result> results, String variant, String baseline) {
      Result r = results.get(variant);
      Result base = results.get(baseline);
      return r == null || base == null ? null : new Overhead(r.score - base.score, r.bytesPerOp - base.bytesPerOp);
    }

    Overhead minus(Overhead other) {
      return new Overhead(ns - other.ns, bytes - other.bytes);
    }

    Overhead per(int lines) {
      return new Overhead(ns / lines, bytes / lines);
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "%.0f ns, %.0f B", ns, bytes);
    }
  }

  /**
   * Sessionware, LangChain4j, Spring AI and the hand-written floor, each over its own direct call,
   * on the four paths of {@link SideBySideBenchmark}, with the performance issue's targets.
   */
  private static boolean sideBySideReport(Map<String, Result> results) {
    if (!results.containsKey("sessionwareDirect") || !results.containsKey("floorFramework")) {
      return true;
    }
    System.out.printf(Locale.ROOT, "%n### Side by side (overhead over each library's direct call)%n%n"
        + "| path | Sessionware | floor | LangChain4j | Spring AI | vs floor | vs LangChain4j | vs Spring AI |%n"
        + "|---|---:|---:|---:|---:|---:|---:|---:|%n");
    String[][] paths = {{"framework", "Framework"}, {"instrumented, logging off", "Instrumented"},
        {"instrumented, logging on", "InstrumentedLoggingOn"}, {"prompt", "Prompt"},
        {"prompt, default runtime", "DefaultPrompt"},
        {"framework, MDC on demand", "FrameworkOnDemandMdc", "FrameworkNoMdc"},
        {"instrumented, logging off, MDC on demand", "InstrumentedOnDemandMdc", "InstrumentedNoMdc", "Instrumented"},
        {"instrumented, logging on, MDC on demand", "InstrumentedLoggingOnOnDemandMdc", "InstrumentedLoggingOn",
            "InstrumentedLoggingOn"},
        {"prompt, MDC on demand", "PromptOnDemandMdc"}};
    for (String[] path : paths) {
      String floorName = path.length > 2 ? path[2] : path[1];
      String theirs = path.length > 3 ? path[3] : path[1];
      Overhead ours = Overhead.of(results, "sessionware" + path[1], "sessionwareDirect");
      Overhead floor = Overhead.of(results, "floor" + floorName, "sessionwareDirect");
      Overhead lc4j = Overhead.of(results, "langChain4j" + theirs, "langChain4jDirect");
      Overhead spring = Overhead.of(results, "springAi" + theirs, "springAiDirect");
      if (ours == null) {
        continue;
      }
      System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s |%n", path[0], ours, cell(floor),
          cell(lc4j), cell(spring), floor == null ? "" : String.format(Locale.ROOT, "%+.0f ns", ours.ns - floor.ns),
          ratio(ours, lc4j), ratio(ours, spring));
    }
    System.out.printf(Locale.ROOT, "%nThe floors of the on-demand rows with logging off keep the correlation in a"
        + " thread-local and put nothing in the MDC. The logging-off targets are checked on the on-demand rows, the"
        + " design the performance issue asks for (ids in the MDC only when a line is logged); the eager rows are"
        + " the mirroring kept for other SLF4J backends, whose cost is the MDC's own (the floor's).%n");
    boolean met = true;
    met &= target("both middleware, logging off, MDC on demand",
        Overhead.of(results, "sessionwareInstrumentedOnDemandMdc", "sessionwareDirect"), MAX_INSTRUMENTED_NS,
        MAX_INSTRUMENTED_BYTES);
    met &= target("a whole prompt, logging off, MDC on demand",
        Overhead.of(results, "sessionwarePromptOnDemandMdc", "sessionwareDirect"), MAX_PROMPT_NS, MAX_PROMPT_BYTES);
    met &= target("a whole prompt on the default runtime, as configured by default (ids copied into the MDC)",
        Overhead.of(results, "sessionwareDefaultPrompt", "sessionwareDirect"), MAX_DEFAULT_PROMPT_NS,
        MAX_DEFAULT_PROMPT_BYTES);
    Overhead off = Overhead.of(results, "sessionwareInstrumented", "sessionwareDirect");
    Overhead floorOff = Overhead.of(results, "floorInstrumented", "sessionwareDirect");
    if (off != null && floorOff != null) {
      System.out.printf(Locale.ROOT, "%nEager MDC (every scope copies the ids): both middleware %s, %+.0f ns over the"
          + " floor doing the same MDC copy by hand (%s)%n", off, off.ns - floorOff.ns, floorOff);
    }
    Overhead on = Overhead.of(results, "sessionwareInstrumentedLoggingOn", "sessionwareDirect");
    Overhead floorOn = Overhead.of(results, "floorInstrumentedLoggingOn", "sessionwareDirect");
    Overhead lc4jOff = Overhead.of(results, "langChain4jInstrumented", "langChain4jDirect");
    Overhead lc4jOn = Overhead.of(results, "langChain4jInstrumentedLoggingOn", "langChain4jDirect");
    Overhead sameOff = Overhead.of(results, "langChain4jSameFields", "langChain4jDirect");
    Overhead sameOn = Overhead.of(results, "langChain4jSameFieldsLoggingOn", "langChain4jDirect");
    if (on != null && off != null) {
      Overhead perLine = on.minus(off).per(SESSIONWARE_LINES);
      System.out.printf(Locale.ROOT, "%nPer line written: Sessionware %s (2 lines, ids in the MDC, 14 key/values)", perLine);
      if (floorOn != null && floorOff != null) {
        System.out.printf(Locale.ROOT, "; floor %s", floorOn.minus(floorOff).per(SESSIONWARE_LINES));
      }
      if (sameOn != null && sameOff != null) {
        System.out.printf(Locale.ROOT, "; LangChain4j with the same fields %s", sameOn.minus(sameOff).per(SESSIONWARE_LINES));
      }
      if (lc4jOn != null && lc4jOff != null) {
        System.out.printf(Locale.ROOT, "; LangChain4j's own line %s (1 line, no MDC, 4 key/values)",
            lc4jOn.minus(lc4jOff).per(LANGCHAIN4J_LINES));
      }
      System.out.println();
      if (sameOn != null && sameOff != null) {
        met &= noMoreThan("per line written, logging on, against LangChain4j's listener writing the same fields",
            perLine, sameOn.minus(sameOff).per(SESSIONWARE_LINES));
      }
    }
    return met;
  }

  private static String cell(Overhead overhead) {
    return overhead == null ? "" : overhead.toString();
  }

  private static String ratio(Overhead ours, Overhead theirs) {
    return theirs == null || theirs.ns <= 0 ? "" : String.format(Locale.ROOT, "%.2f×", ours.ns / theirs.ns);
  }

  /** The per-line target: no more time and bytes than the same work done with the other library. */
  private static boolean noMoreThan(String what, Overhead ours, Overhead theirs) {
    boolean ok = ours.ns <= theirs.ns * (1 + LINE_TOLERANCE) && ours.bytes <= theirs.bytes * (1 + LINE_TOLERANCE);
    System.out.printf(Locale.ROOT, "%nTarget (%s, within %.0f %%): %s vs %s: %s%n", what, LINE_TOLERANCE * 100, ours,
        theirs, ok ? "met" : "MISSED");
    return ok;
  }

  private static boolean target(String what, Overhead overhead, double maxNs, double maxBytes) {
    if (overhead == null) {
      return true; // not measured in this run
    }
    boolean ok = overhead.ns <= maxNs && overhead.bytes <= maxBytes;
    System.out.printf(Locale.ROOT, "%nTarget (%s: <= %.0f ns and <= %.0f B): %s: %s%n", what, maxNs, maxBytes, overhead,
        ok ? "met" : "MISSED");
    return ok;
  }

  private OverheadReport() {}

  /**
   * The adapter targets: LangChain4j's {@code chat()} with Sessionware's listener no slower than
   * with two listeners of its own, and the Spring AI engine at least 5× cheaper (overhead over the
   * direct call) than a {@code ChatClient} with its logger advisor, logging off.
   */
  private static boolean adapterReport(Map<String, Result> all) {
    Map<String, Result> results = new HashMap<>();
    all.forEach((key, result) -> {
      if (key.startsWith(ADAPTER)) {
        results.put(key.substring(ADAPTER.length()), result);
      }
    });
    Result lc4j = results.get("langChain4jDirect");
    Result spring = results.get("springAiDirect");
    if (lc4j == null && spring == null) {
      return true;
    }
    System.out.printf(Locale.ROOT, "%n### Adapters (overhead over each client's direct call)%n%n"
        + "| path | ns/op | overhead ns | B/op | overhead B |%n|---|---:|---:|---:|---:|%n");
    String[][] rows = {{"langChain4jDirect", "langChain4jTwoNoOpListeners", "langChain4jTwoListeners",
        "langChain4jSessionListener", "sessionwareLangChain4j", "langChain4jAiService", "langChain4jAiServiceTwoListeners",
        "langChain4jAiServiceSessions"}, {"springAiDirect", "springAiChatClient", "springAiChatClientLoggerAdvisor",
        "springAiChatClientSessionAdvisor", "springAiChatClientStarter", "sessionwareSpringAi"}};
    for (String[] group : rows) {
      Result base = results.get(group[0]);
      for (String name : group) {
        Result r = results.get(name);
        if (base != null && r != null) {
          System.out.printf(Locale.ROOT, "| %s | %.1f ± %.1f | %.1f | %.0f | %.0f |%n", name, r.score, r.error,
              r.score - base.score, r.bytesPerOp, r.bytesPerOp - base.bytesPerOp);
        }
      }
    }
    boolean met = true;
    Result ours = results.get("langChain4jSessionListener");
    Result theirs = results.get("langChain4jTwoListeners");
    if (ours != null && theirs != null) {
      boolean ok = ours.score <= theirs.score;
      met &= ok;
      System.out.printf(Locale.ROOT, "%nTarget (LangChain4j chat() with Sessionware's listener no slower than with "
          + "two listeners): %.1f vs %.1f ns: %s%n", ours.score, theirs.score, ok ? "met" : "MISSED");
    }
    met &= ratioTarget("the starter's ChatClient path over ChatClient with its logger advisor",
        results.get("springAiChatClientStarter"), results.get("springAiChatClientLoggerAdvisor"), MAX_CHAT_CLIENT_RATIO);
    met &= ratioTarget("an AI service call as the runtime's inference over the two-listener AI service",
        results.get("langChain4jAiServiceSessions"), results.get("langChain4jAiServiceTwoListeners"),
        MAX_AI_SERVICE_RATIO);
    Result engine = results.get("sessionwareSpringAi");
    Result client = results.get("springAiChatClientLoggerAdvisor");
    if (spring != null && engine != null && client != null) {
      double speedup = (client.score - spring.score) / (engine.score - spring.score);
      boolean ok = speedup >= MIN_SPRING_AI_SPEEDUP;
      met &= ok;
      System.out.printf(Locale.ROOT, "%nTarget (Spring AI engine >= %.0fx cheaper than ChatClient with its logger "
          + "advisor): %.1fx: %s%n", MIN_SPRING_AI_SPEEDUP, speedup, ok ? "met" : "MISSED");
    }
    return met;
  }

  /** A target on the time of one path over another's, both measured in the same run; met when either is missing. */
  private static boolean ratioTarget(String what, Result ours, Result theirs, double max) {
    if (ours == null || theirs == null) {
      return true;
    }
    double ratio = ours.score / theirs.score;
    boolean ok = ratio <= max;
    System.out.printf(Locale.ROOT, "%nTarget (%s <= %.1fx): %.1f vs %.1f ns, %.2fx: %s%n", what, max, ours.score,
        theirs.score, ratio, ok ? "met" : "MISSED");
    return ok;
  }

  /** Benchmark parameters as a name suffix, for example {@code [sqlite,1000000]}. */
  private static String paramSuffix(JsonNode params) {
    List<String> values = new java.util.ArrayList<>();
    params.fields().forEachRemaining(field -> values.add(field.getValue().asText()));
    return values.toString().replace(" ", "");
  }

  /** The store targets: appends per second, and load-latest that does not grow with the table. */
  private static boolean storeReport(Map<String, Result> results) {
    if (results.keySet().stream().noneMatch(key -> key.startsWith("append") || key.startsWith("loadLatest"))) {
      return true; // no store benchmark in this run
    }
    boolean met = true;
    System.out.println();
    System.out.println("### Turn stores (the in-memory store is the baseline of the same run)");
    System.out.println();
    System.out.println("| benchmark | store | score | unit |");
    System.out.println("|---|---|---:|---|");
    for (String store : new String[] {"memory", "sqlite", "postgres"}) {
      for (String bench : new String[] {"append", "appendEightSessions"}) {
        Result r = results.get(bench + "[" + store + "]");
        if (r != null) {
          System.out.printf(Locale.ROOT, "| %s | %s | %.0f ± %.0f | %s |%n", bench, store, r.score, r.error, r.unit);
        }
      }
    }
    for (String store : new String[] {"sqlite", "postgres"}) {
      for (String rows : new String[] {"10000", "1000000"}) {
        Result r = results.get("loadLatest[" + store + "," + rows + "]");
        if (r != null) {
          System.out.printf(Locale.ROOT, "| loadLatest, %s stored turns | %s | %.1f ± %.1f | %s |%n", rows, store,
              r.score, r.error, r.unit);
        }
      }
    }
    met &= check("SQLite appends/s, one thread", results.get("append[sqlite]"), MIN_SQLITE_APPENDS, true);
    met &= check("PostgreSQL appends/s, 8 sessions", results.get("appendEightSessions[postgres]"),
        MIN_POSTGRES_PARALLEL_APPENDS, true);
    met &= check("SQLite load-latest at 1 M turns (us)", results.get("loadLatest[sqlite,1000000]"), MAX_LOAD_LATEST_US,
        false);
    met &= check("PostgreSQL load-latest at 1 M turns (us)", results.get("loadLatest[postgres,1000000]"),
        MAX_LOAD_LATEST_US, false);
    return met;
  }

  private static boolean check(String what, Result r, double limit, boolean atLeast) {
    if (r == null) {
      return true; // not measured in this run
    }
    boolean ok = atLeast ? r.score >= limit : r.score <= limit;
    System.out.printf(Locale.ROOT, "%nTarget (%s %s %.0f): %.0f: %s", what, atLeast ? ">=" : "<=", limit, r.score,
        ok ? "met" : "MISSED");
    return ok;
  }

  private record Result(double score, double error, String unit, double bytesPerOp) {}

  /** Issue 34's targets: canonical per event at most this times PI-017, both at most this times plain Jackson. */
  private static final double MAX_VOCABULARY_RATIO = 1.2;

  /** The two vocabularies on one inference ({@code VocabularyBenchmark}, ns per event). */
  private static boolean vocabularyReport(Map<String, Result> results) {
    boolean met = true;
    boolean header = false;
    for (String op : new String[] {"encode", "decode", "write"}) {
      Result pi017 = results.get(op + "Pi017");
      Result canonical = results.get(op + "Canonical");
      if (pi017 == null || canonical == null) {
        continue;
      }
      if (!header) {
        System.out.printf(Locale.ROOT, "%n### The two vocabularies on one inference (ns per event; %d PI-017 events,"
            + " %d canonical)%n%n| operation | PI-017 | canonical | canonical / PI-017 | per inference: PI-017 |"
            + " canonical | PI-017 / plain Jackson | canonical / plain Jackson |%n|---|---:|---:|---:|---:|---:|---:|---:|%n",
            VocabularyBenchmark.PI017_EVENTS, VocabularyBenchmark.CANONICAL_EVENTS);
        header = true;
      }
      double ratio = canonical.score / pi017.score;
      boolean perEvent = ratio <= MAX_VOCABULARY_RATIO;
      met &= op.equals("write") || perEvent; // write (translate + encode) is reported, not a target
      Result plainPi017 = results.get("plain" + Character.toUpperCase(op.charAt(0)) + op.substring(1) + "Pi017");
      Result plainCanonical = results.get("plain" + Character.toUpperCase(op.charAt(0)) + op.substring(1) + "Canonical");
      String againstPlain = "| | |";
      if (plainPi017 != null && plainCanonical != null) {
        double a = pi017.score / plainPi017.score;
        double b = canonical.score / plainCanonical.score;
        met &= a <= MAX_VOCABULARY_RATIO && b <= MAX_VOCABULARY_RATIO;
        againstPlain = String.format(Locale.ROOT, "| %.2f%s | %.2f%s |", a, a <= MAX_VOCABULARY_RATIO ? "" : " (MISSED)",
            b, b <= MAX_VOCABULARY_RATIO ? "" : " (MISSED)");
      }
      System.out.printf(Locale.ROOT, "| %s | %.0f | %.0f | %.2f%s | %.0f ns | %.0f ns %s%n", op, pi017.score,
          canonical.score, ratio, op.equals("write") || perEvent ? "" : " (MISSED)",
          pi017.score * VocabularyBenchmark.PI017_EVENTS, canonical.score * VocabularyBenchmark.CANONICAL_EVENTS,
          againstPlain);
    }
    return met;
  }

  /**
   * Prints the report.
   *
   * @param args the JMH result file (JSON)
   * @throws IOException if the file cannot be read
   */
  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: OverheadReport RESULTS.json");
      System.exit(2);
    }
    Map<String, Result> results = new HashMap<>();
    for (JsonNode run : new ObjectMapper().readTree(Path.of(args[0]).toFile())) {
      String name = run.path("benchmark").asText();
      JsonNode primary = run.path("primaryMetric");
      JsonNode alloc = run.path("secondaryMetrics").path("gc.alloc.rate.norm").path("score");
      JsonNode params = run.path("params");
      String suffix = params.isMissingNode() ? "" : paramSuffix(params);
      String prefix = name.contains(".AdapterBenchmark.") ? ADAPTER : "";
      results.put(prefix + name.substring(name.lastIndexOf('.') + 1) + suffix, new Result(primary.path("score").asDouble(),
          primary.path("scoreError").asDouble(), primary.path("scoreUnit").asText(), alloc.isMissingNode() ? Double.NaN
              : alloc.asDouble()));
    }
    boolean met = sideBySideReport(results);
    System.out.println();
    System.out.println("### Codec against plain Jackson (ops/s; ratio = plain / codec, lower is better)");
    System.out.println();
    System.out.println("| operation | codec ops/s | plain Jackson ops/s | ratio | codec B/op | plain B/op |");
    System.out.println("|---|---:|---:|---:|---:|---:|");
    for (String op : new String[] {"encodePartial", "encodeFinal", "decodePartial", "decodeFinal"}) {
      Result ours = results.get(op);
      Result plain = results.get("plain" + Character.toUpperCase(op.charAt(0)) + op.substring(1));
      if (ours != null && plain != null) {
        double ratio = plain.score / ours.score;
        met &= ratio <= MAX_CODEC_RATIO;
        System.out.printf(Locale.ROOT, "| %s | %.0f | %.0f | %.2f%s | %.0f | %.0f |%n", op, ours.score, plain.score,
            ratio, ratio <= MAX_CODEC_RATIO ? "" : " (MISSED)", ours.bytesPerOp, plain.bytesPerOp);
      }
    }
    met &= vocabularyReport(results);
    System.out.println();
    System.out.println("### Sinks (events/s)");
    System.out.println();
    System.out.println("| sink | events/s |");
    System.out.println("|---|---:|");
    for (String sink : new String[] {"asyncOneProducer", "asyncTwoProducers", "asyncFourProducers", "jsonLinesToFile",
        "jsonLinesBatched"}) {
      Result r = results.get(sink);
      if (r != null) {
        System.out.printf(Locale.ROOT, "| %s | %.0f ± %.0f |%n", sink, r.score, r.error);
      }
    }
    met &= check("batching JSON Lines sink, events/s", results.get("jsonLinesBatched"), MIN_BATCHED_EVENTS_PER_SECOND,
        true);
    met &= storeReport(results);
    met &= adapterReport(results);
    Result directTool = results.get("directToolCall");
    Result loop = results.get("toolLoop");
    if (directTool != null && loop != null) {
      double ns = loop.score - directTool.score;
      double bytes = loop.bytesPerOp - directTool.bytesPerOp;
      boolean ok = ns <= MAX_TOOL_LOOP_NS && (Double.isNaN(bytes) || bytes <= MAX_TOOL_LOOP_BYTES);
      met &= ok;
      System.out.printf(Locale.ROOT, "%n### Tool loop%n%n| variant | ns/op | B/op |%n|---|---:|---:|%n"
          + "| directToolCall | %.0f ± %.0f | %.0f |%n| toolLoop | %.0f ± %.0f | %.0f |%n%n"
          + "Target (loop overhead per tool call <= %.0f ns and <= %.0f B): %.0f ns, %.0f B: %s%n",
          directTool.score, directTool.error, directTool.bytesPerOp, loop.score, loop.error, loop.bytesPerOp,
          MAX_TOOL_LOOP_NS, MAX_TOOL_LOOP_BYTES, ns, bytes, ok ? "met" : "MISSED");
    }
    System.out.println();
    System.out.println(met ? "All targets met." : "A target was MISSED.");
    System.exit(met ? 0 : 1);
  }
}
