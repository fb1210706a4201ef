package dev.sessionware.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The boundaries a host relies on: what sits in a module's {@code internal} package is used by that
 * module alone, and core's public surface stays small enough to learn.
 */
class ModuleBoundariesTest {
  /** The repository root: surefire runs each module's tests in its own folder. */
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Pattern INTERNAL_REFERENCE =
      Pattern.compile("\\bdev\\.sessionware\\.([a-z.]+?)\\.internal\\.[A-Z]\\w*");
  private static final Pattern PACKAGE = Pattern.compile("^package dev\\.sessionware\\.([a-z.]+);", Pattern.MULTILINE);
  private static final Pattern PUBLIC_TOP_LEVEL = Pattern.compile(
      "^public (?:final |abstract |sealed |non-sealed )*(?:class|interface|record|enum|@interface) (\\w+)",
      Pattern.MULTILINE);
  /**
   * Core's budget of public top-level types outside {@code internal}: 50 as issue 22 set it, and
   * one more for the prompt queue SPI issue 25 asked for next to the turn store and the event log.
   */
  private static final int CORE_SURFACE_BUDGET = 51;
  /**
   * Core's budget of all its public types outside {@code internal}, nested ones counted: what a user
   * may meet. 99 before issue 32, which removed InferenceContext.Snapshots, EventLog.Listeners and
   * PromptQueue.Pending and added Inference.Driver (the inference a client drives) and
   * SessionRuntime.Submission (the dispatcher's answer): 98. Issue 34, written beside issue 32, adds
   * geppetto's canonical vocabulary, whose types are the API as the PI-017 ones are: its 19 event
   * records, their sealed InferenceEvent.CanonicalEvent and InferenceEvent.CanonicalCorrelation, and
   * the codec's EventCodec.Vocabulary and EventCodec.Translator: 121. Issue 33 added SessionId.Principal
   * (who a session belongs to, which every store records and every entry point takes; its refusals
   * reuse the JDK's NoSuchElementException, so no exception type came with it): 122. Issue 35 (tool calls that wait for a person's approval)
   * added ToolLoop.Approval (the policy's answer), TurnStore.PendingCall (a waiting call and its
   * decision, in the store SPI) and InferenceEvent.ToolApprovalRequestEvent (its event type): 125.
   * It may only go down.
   */
  static final int CORE_ALL_PUBLIC_TYPES_BUDGET = 125;

  private static List<Path> mainSources() throws IOException {
    try (Stream<Path> files = Files.walk(ROOT, 12)) {
      return files.filter(f -> f.toString().endsWith(".java"))
          .filter(f -> f.toString().contains("/src/main/java/"))
          .filter(f -> !f.toString().contains("/target/"))
          .toList();
    }
  }

  @Test
  void noModuleReachesIntoAnotherModulesInternals() throws IOException {
    List<Path> sources = mainSources();
    assertThat(sources).as("sources under %s", ROOT).hasSizeGreaterThan(100);
    List<String> violations = new ArrayList<>();
    for (Path file : sources) {
      String source = Files.readString(file);
      Matcher own = PACKAGE.matcher(source);
      String ownPackage = own.find() ? own.group(1) : "";
      Matcher reference = INTERNAL_REFERENCE.matcher(source);
      while (reference.find()) {
        String owner = reference.group(1);
        if (!ownPackage.equals(owner) && !ownPackage.startsWith(owner + ".")) {
          violations.add(ROOT.relativize(file) + " uses " + reference.group());
        }
      }
    }
    assertThat(violations).isEmpty();
  }

  @Test
  void coresPublicTypesNestedOnesCountedStayWithinTheirBudget() throws Exception {
    java.net.URL location = dev.sessionware.core.session.Session.class.getProtectionDomain().getCodeSource()
        .getLocation();
    Path classes = Path.of(location.toURI());
    List<String> names = new ArrayList<>();
    if (Files.isDirectory(classes)) {
      try (Stream<Path> files = Files.walk(classes)) {
        files.map(f -> classes.relativize(f).toString()).filter(n -> n.endsWith(".class")).forEach(names::add);
      }
    } else {
      try (java.util.jar.JarFile jar = new java.util.jar.JarFile(classes.toFile())) {
        jar.stream().map(java.util.jar.JarEntry::getName).filter(n -> n.endsWith(".class")).forEach(names::add);
      }
    }
    List<String> exported = new ArrayList<>();
    for (String name : names) {
      String className = name.substring(0, name.length() - ".class".length()).replace('/', '.').replace('\\', '.');
      if (!className.startsWith("dev.sessionware.core.") || className.contains(".internal.")
          || className.endsWith("package-info")) {
        continue;
      }
      Class<?> type = Class.forName(className, false, getClass().getClassLoader());
      if (type.isAnonymousClass() || type.isLocalClass() || type.isSynthetic() || !visible(type)) {
        continue;
      }
      exported.add(type.getName());
    }
    assertThat(exported).as("core's public types, nested ones counted").hasSizeGreaterThan(50)
        .hasSizeLessThanOrEqualTo(CORE_ALL_PUBLIC_TYPES_BUDGET);
  }

  /** Whether a user can name the type: it and every type it is nested in are public. */
  private static boolean visible(Class<?> type) {
    for (Class<?> t = type; t != null; t = t.getEnclosingClass()) {
      if (!java.lang.reflect.Modifier.isPublic(t.getModifiers())) {
        return false;
      }
    }
    return true;
  }

  @Test
  void coresPublicSurfaceStaysWithinItsBudget() throws IOException {
    List<String> exported = new ArrayList<>();
    for (Path file : mainSources()) {
      String path = ROOT.relativize(file).toString();
      if (!path.startsWith("core/") || path.contains("/internal/")) {
        continue;
      }
      Matcher type = PUBLIC_TOP_LEVEL.matcher(Files.readString(file));
      if (type.find()) {
        exported.add(type.group(1));
      }
    }
    assertThat(exported).as("core's public top-level types").hasSizeGreaterThan(20)
        .hasSizeLessThanOrEqualTo(CORE_SURFACE_BUDGET);
  }
}
