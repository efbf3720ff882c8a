package dev.semblance;

import java.util.List;
import java.util.Optional;

/**
 * The answer to "who is this?" against a {@link Gallery}: the closest enrolled identities and an
 * open-set decision. The probe is <em>known</em> when the best candidate's similarity reaches the
 * threshold; otherwise it belongs to nobody enrolled.
 *
 * @param candidates the closest identities, most similar first (at most the k asked for)
 * @param threshold the similarity threshold the decision used
 *     <p><b>Thread safety.</b> Immutable.
 */
public record Identification(List<Candidate> candidates, float threshold) {
  public Identification {
    candidates = List.copyOf(candidates);
  }

  /** The best candidate if it reaches the threshold; empty for an unknown face. */
  public Optional<Candidate> match() {
    return candidates.isEmpty() || candidates.get(0).similarity() < threshold
        ? Optional.empty()
        : Optional.of(candidates.get(0));
  }

  public boolean isKnown() {
    return match().isPresent();
  }
}
