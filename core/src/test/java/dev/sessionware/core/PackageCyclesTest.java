package dev.sessionware.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Core's packages depend on each other in one direction only, and its internals on nothing of core. */
class PackageCyclesTest {
  private static final Pattern PACKAGE = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE);
  private static final Pattern REFERENCE = Pattern.compile("\\b(dev\\.sessionware\\.core(?:\\.[a-z]+)*)\\.[A-Z]\\w*");

  private static Map<String, Set<String>> dependencies() throws IOException {
    Map<String, Set<String>> uses = new TreeMap<>();
    try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        String source = Files.readString(file);
        Matcher declared = PACKAGE.matcher(source);
        if (!declared.find()) {
          continue;
        }
        String own = declared.group(1);
        Set<String> used = uses.computeIfAbsent(own, p -> new TreeSet<>());
        Matcher reference = REFERENCE.matcher(source);
        while (reference.find()) {
          if (!reference.group(1).equals(own)) {
            used.add(reference.group(1));
          }
        }
      }
    }
    return uses;
  }

  @Test
  void noPackageReachesItselfThroughOthers() throws IOException {
    Map<String, Set<String>> uses = dependencies();
    List<String> cycles = new ArrayList<>();
    for (String start : uses.keySet()) {
      Deque<String> todo = new ArrayDeque<>(uses.get(start));
      Set<String> seen = new HashSet<>();
      while (!todo.isEmpty()) {
        String next = todo.pop();
        if (next.equals(start)) {
          cycles.add(start);
          break;
        }
        if (seen.add(next)) {
          todo.addAll(uses.getOrDefault(next, Set.of()));
        }
      }
    }
    assertThat(cycles).as("packages on a cycle; dependencies: %s", uses).isEmpty();
    assertThat(uses.get("dev.sessionware.core.internal")).as("internal is a leaf").isEmpty();
  }
}
