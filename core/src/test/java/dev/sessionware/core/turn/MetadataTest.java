package dev.sessionware.core.turn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.testing.EqualsTester;
import com.google.common.testing.NullPointerTester;
import dev.sessionware.core.SessionId;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetadataTest {
  private static final MetadataKey<Integer> COUNT = MetadataKey.of("acme", "count", 1, Integer.class);

  @Test
  void wellKnownKeysHaveTheReferenceIdentities() {
    assertThat(MetadataKeys.SESSION_ID.id()).isEqualTo("geppetto.session_id@v1");
    assertThat(MetadataKeys.INFERENCE_ID.id()).isEqualTo("geppetto.inference_id@v1");
    assertThat(MetadataKeys.MIDDLEWARE.id()).isEqualTo("geppetto.middleware@v1");
  }

  @Test
  void getDistinguishesAbsentFromPresent() {
    Metadata metadata = Metadata.empty().with(COUNT, 0);
    assertThat(metadata.get(COUNT)).contains(0);
    assertThat(metadata.get(MetadataKeys.MODEL)).isEmpty();
    assertThat(metadata.contains(COUNT)).isTrue();
    assertThat(metadata.without(COUNT).contains(COUNT)).isFalse();
  }

  @Test
  void readingWithAKeyOfAnotherTypeNamesTheKeyAndBothTypes() {
    MetadataKey<String> countAsText = MetadataKey.of("acme", "count", 1, String.class);
    Metadata metadata = Metadata.empty().with(COUNT, 3);
    assertThatThrownBy(() -> metadata.get(countAsText)).isInstanceOf(ClassCastException.class)
        .hasMessage("metadata key acme.count@v1 holds a java.lang.Integer, not a java.lang.String");
  }

  @Test
  void invalidKeysFailWhenDefined() {
    assertThatIllegalArgumentException().isThrownBy(() -> MetadataKey.of("", "x", 1, String.class))
        .withMessage("metadata key namespace must not be empty");
    assertThatIllegalArgumentException().isThrownBy(() -> MetadataKey.of("acme", "a b", 1, String.class))
        .withMessage("metadata key name may only hold letters, digits, '_' and '-', but was \"a b\"");
    assertThatIllegalArgumentException().isThrownBy(() -> MetadataKey.of("acme", "x", 0, String.class))
        .withMessage("metadata key version must be >= 1, but was 0 for acme.x");
  }

  @Test
  void metadataIsImmutable() {
    Metadata original = Metadata.empty();
    Metadata changed = original.with(MetadataKeys.SESSION_ID, SessionId.of("s"));
    assertThat(original.size()).isZero();
    assertThat(changed.size()).isEqualTo(1);
    assertThatThrownBy(() -> changed.entries().put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void valueTypesHandleNullsAndEquality() {
    new NullPointerTester().setDefault(MetadataKey.class, COUNT).testAllPublicInstanceMethods(Metadata.empty().with(COUNT, 1));
    new EqualsTester()
        .addEqualityGroup(COUNT, MetadataKey.of("acme", "count", 1, Integer.class))
        .addEqualityGroup(MetadataKey.of("acme", "count", 2, Integer.class))
        .addEqualityGroup(MetadataKey.of("acme", "count", 1, Long.class))
        .testEquals();
    new EqualsTester()
        .addEqualityGroup(Metadata.empty(), new Metadata(Map.of()))
        .addEqualityGroup(Metadata.empty().with(COUNT, 1), new Metadata(Map.of("acme.count@v1", 1)))
        .testEquals();
  }
}
