package dev.semblance.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.semblance.Embedding;
import dev.semblance.testing.UnitVectors;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DuplicateIdentitiesTest {
  private final UnitVectors vectors = new UnitVectors(7, 64);
  private final List<Embedding> faces = new ArrayList<>();
  private final List<String> names = new ArrayList<>();

  private void photos(String name, Embedding person, double... similarities) {
    for (double s : similarities) {
      faces.add(vectors.near(person, s));
      names.add(name);
    }
  }

  @Test
  void mergesOnePersonUnderTwoNamesAndTheSamePhotoTwiceButNotLookAlikes() {
    Embedding blatter = vectors.random();
    photos("Joseph_Blatter", blatter, 0.85, 0.85);
    photos("Sepp_Blatter", blatter, 0.85, 0.85, 0.85);
    // Look-alikes: alike across the names (about 0.5), more alike within each (about 0.8).
    Embedding twin = vectors.random();
    Embedding first = vectors.near(twin, 0.85);
    Embedding second = vectors.near(twin, 0.85);
    photos("Twin_One", first, 0.9, 0.9);
    photos("Twin_Two", second, 0.9, 0.9);
    Embedding photo = vectors.random();
    faces.add(photo);
    names.add("Ann_Smith");
    faces.add(photo);
    names.add("Anne_Smith");
    for (int i = 0; i < 20; i++) {
      photos("Other_" + i, vectors.random(), 0.8, 0.8);
    }

    DuplicateIdentities.Result result = DuplicateIdentities.find(faces, names);

    assertThat(result.merges())
        .extracting(m -> m.kept() + "=" + m.merged())
        .containsExactlyInAnyOrder("Joseph_Blatter=Sepp_Blatter", "Ann_Smith=Anne_Smith");
    assertThat(result.impostorsRemoved()).isEqualTo(2 * 3 + 1);
    assertThat(result.identities().subList(0, 5)).containsOnly("Joseph_Blatter");
    assertThat(result.identities()).contains("Twin_One", "Twin_Two", "Other_3");
    // The genuine pairs of the merged names now count as genuine.
    Scores before = Scores.ofAllPairs(faces, names);
    Scores after = Scores.ofAllPairs(faces, result.identities());
    assertThat(after.impostorCount()).isEqualTo(before.impostorCount() - 7);
    assertThat(after.highestImpostors(1)[0]).isLessThan(before.highestImpostors(1)[0]);
  }
}
