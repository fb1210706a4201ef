package dev.sessionware.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import dev.sessionware.core.SessionId;
import dev.sessionware.core.TurnId;
import dev.sessionware.core.store.TurnJson.UnrecognizedValue;
import dev.sessionware.core.turn.Block;
import dev.sessionware.core.turn.BlockKind;
import dev.sessionware.core.turn.Metadata;
import dev.sessionware.core.turn.MetadataKeys;
import dev.sessionware.core.turn.Role;
import dev.sessionware.core.turn.Turn;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class TurnJsonTest {
  @Example
  void writesTheDocumentedFormat() {
    Turn turn = Turn.of(Block.userText("hi").withMetadata(Metadata.empty()))
        .withId(TurnId.of("t-1"))
        .with(MetadataKeys.SESSION_ID, SessionId.of("s-1"));
    Block block = turn.blocks().get(0);
    assertThat(TurnJson.encodeTurn(turn)).isEqualTo("{\"v\":1,\"id\":\"t-1\",\"metadata\":{\"geppetto.session_id@v1\":"
        + "{\"$session_id\":\"s-1\"}},\"data\":{},\"blocks\":[{\"id\":\"" + block.id() + "\",\"kind\":\"user\","
        + "\"role\":\"user\",\"payload\":{\"text\":\"hi\"},\"metadata\":{}}]}");
  }

  @Example
  void keepsUnknownKindsAndTagsAndWritesThemBack() {
    String json = "{\"v\":1,\"id\":\"t\",\"metadata\":{\"x.money@v1\":{\"$money\":{\"eur\":5}}},\"data\":{},"
        + "\"blocks\":[{\"id\":\"b\",\"kind\":\"citation\",\"role\":\"assistant\",\"payload\":{\"url\":\"u\"},"
        + "\"metadata\":{}}]}";
    Turn turn = TurnJson.decodeTurn(json);
    assertThat(turn.blocks().get(0).kind()).isEqualTo(BlockKind.OTHER);
    assertThat(turn.metadata().entries().get("x.money@v1")).isEqualTo(new UnrecognizedValue("$money", "{\"eur\":5}"));
    assertThat(TurnJson.encodeTurn(turn)).isEqualTo(json);
  }

  @Example
  void refusesValuesItCannotStoreNamingTheKey() {
    record Custom(int x) {}
    Block block = Block.of(BlockKind.OTHER, Role.USER, Map.of("thing", new Custom(1)));
    assertThatIllegalArgumentException().isThrownBy(() -> TurnJson.encodeBlock(block))
        .withMessageStartingWith("payload of block " + block.id() + " holds a ")
        .withMessageContaining("Custom under thing, which the turn format cannot store");
  }

  /** Fault class: bytes repaired instead of refused; Java's number parsers read any script's digits. */
  @Example
  void refusesANumberWrittenInDigitsOtherThanAscii() {
    String arabicIndicThree = "{\"v\":1,\"id\":\"t\",\"metadata\":{\"x.count@v1\":{\"$long\":\"\u0663\"}},"
        + "\"data\":{},\"blocks\":[]}";
    assertThatIllegalArgumentException().isThrownBy(() -> TurnJson.decodeTurn(arabicIndicThree))
        .withMessageContaining("$long value has characters that are not ASCII: \"\u0663\"");
    assertThat(TurnJson.decodeTurn(arabicIndicThree.replace("\u0663", "3")).metadata().entries().get("x.count@v1"))
        .isEqualTo(3L);
  }

  @Example
  void refusesAnotherVersion() {
    assertThatIllegalArgumentException().isThrownBy(() -> TurnJson.decodeTurn("{\"v\":2,\"blocks\":[]}"))
        .withMessage("turn format version 2 is not supported; this version reads 1");
  }

  @Property(tries = 300)
  void everyTurnReadsBackEqual(@ForAll("turns") Turn turn) {
    assertThat(TurnJson.decodeTurn(TurnJson.encodeTurn(turn))).isEqualTo(turn);
    for (Block block : turn.blocks()) {
      assertThat(TurnJson.decodeBlock(TurnJson.encodeBlock(block))).isEqualTo(block);
    }
  }

  @Provide
  Arbitrary<Turn> turns() {
    Arbitrary<Block> blocks = Combinators.combine(
        Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(12),
        Arbitraries.of(BlockKind.values()),
        Arbitraries.of(Role.values()),
        payloads()).as((id, kind, role, payload) -> new Block(id, kind, role, payload, Metadata.empty()));
    return Combinators.combine(blocks.list().ofMaxSize(6), payloads())
        .as((list, meta) -> new Turn(TurnId.of("t"), list, new Metadata(meta), Metadata.empty()));
  }

  private Arbitrary<Map<String, Object>> payloads() {
    Arbitrary<Object> leaf = Arbitraries.oneOf(
        Arbitraries.strings().all().ofMaxLength(20).map(s -> (Object) s),
        Arbitraries.integers().map(i -> (Object) i),
        Arbitraries.longs().map(l -> (Object) l),
        Arbitraries.doubles().map(d -> (Object) d),
        Arbitraries.of(Double.NaN, Double.POSITIVE_INFINITY).map(d -> (Object) d),
        Arbitraries.of(true, false).map(b -> (Object) b),
        Arbitraries.bigIntegers().map(b -> (Object) b),
        Arbitraries.bigDecimals().map(b -> (Object) b),
        Arbitraries.of((Object) new BigDecimal("1.50"), (Object) BigInteger.TEN, (Object) 1.5f, (Object) (short) 3));
    Arbitrary<Object> list = leaf.list().ofMaxSize(3).map(l -> (Object) new ArrayList<>(l));
    Arbitrary<Object> set = leaf.set().ofMaxSize(3).map(s -> (Object) Set.copyOf(s));
    Arbitrary<String> keys = Arbitraries.oneOf(Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(6),
        Arbitraries.of("$odd", "$map", "v"));
    Arbitrary<Object> nested = Arbitraries.maps(keys, leaf).ofMaxSize(3).map(m -> (Object) new LinkedHashMap<>(m));
    return Arbitraries.maps(keys, Arbitraries.oneOf(leaf, list, set, nested)).ofMaxSize(5)
        .map(m -> (Map<String, Object>) new LinkedHashMap<>(m));
  }
}
