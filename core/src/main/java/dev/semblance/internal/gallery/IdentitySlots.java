package dev.semblance.internal.gallery;

import dev.semblance.GalleryOptions;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.BiConsumer;

/**
 * A gallery's identities and their templates: each identity owns a slot of the {@link
 * TemplateMatrix}; a removed identity's slot is reused by the next new one, so that slots stay
 * dense. Searches answer in slots; this class names them.
 *
 * <p>Not thread-safe: the gallery holds its read lock to search and its write lock to change.
 */
public final class IdentitySlots {
  private final TemplateMatrix templates;
  private final Map<String, Integer> slotOf = new HashMap<>();
  private final List<String> nameOfSlot = new ArrayList<>();
  private final Deque<Integer> freeSlots = new ArrayDeque<>();

  /** One candidate of a search: an identity and its best template's similarity. */
  public record Hit(String identity, float similarity) {}

  public IdentitySlots(TemplateMatrix templates) {
    this.templates = templates;
  }

  public TemplateMatrix templates() {
    return templates;
  }

  /** Adds unit vectors to {@code identity}, creating it if new. */
  public void enroll(String identity, List<float[]> vectors) {
    Integer slot = slotOf.get(identity);
    if (slot == null) {
      slot = freeSlots.isEmpty() ? nameOfSlot.size() : freeSlots.pop();
      if (slot == nameOfSlot.size()) {
        nameOfSlot.add(identity);
      } else {
        nameOfSlot.set(slot, identity);
      }
      slotOf.put(identity, slot);
    }
    for (float[] v : vectors) {
      templates.append(slot, v);
    }
  }

  /** Removes {@code identity} and its templates; whether it was enrolled. */
  public boolean remove(String identity) {
    Integer slot = slotOf.remove(identity);
    if (slot == null) {
      return false;
    }
    templates.removeSlot(slot);
    nameOfSlot.set(slot, null);
    freeSlots.push(slot);
    return true;
  }

  /** Gives an enrolled identity a name no identity has; its templates and slot stay. */
  public void rename(String from, String to) {
    int slot = slotOf.remove(from);
    slotOf.put(to, slot);
    nameOfSlot.set(slot, to);
  }

  /**
   * Removes the templates of an enrolled {@code identity} equal to {@code template}, and the
   * identity with its last one; whether any was removed.
   */
  public boolean removeTemplate(String identity, float[] template) {
    List<float[]> rows = templatesOf(identity);
    List<float[]> kept = new ArrayList<>();
    for (float[] row : rows) {
      if (!Arrays.equals(row, template)) {
        kept.add(row);
      }
    }
    if (kept.size() == rows.size()) {
      return false;
    }
    remove(identity);
    if (!kept.isEmpty()) {
      enroll(identity, kept);
    }
    return true;
  }

  public boolean contains(String identity) {
    return slotOf.containsKey(identity);
  }

  /** The enrolled names, sorted; a snapshot. */
  public SortedSet<String> identities() {
    return Collections.unmodifiableSortedSet(new TreeSet<>(slotOf.keySet()));
  }

  public int size() {
    return slotOf.size();
  }

  /** Each identity, in name order, with its templates. */
  public void forEach(BiConsumer<String, List<float[]>> action) {
    for (String name : new TreeSet<>(slotOf.keySet())) {
      action.accept(name, templates.rowsOf(slotOf.get(name)));
    }
  }

  /** Copies of the templates of an enrolled {@code identity}. */
  public List<float[]> templatesOf(String identity) {
    return templates.rowsOf(slotOf.get(identity));
  }

  /** The similarity of {@code probe} to the closest template of an enrolled {@code identity}. */
  public float bestOf(String identity, float[] probe) {
    return templates.bestOfSlot(probe, slotOf.get(identity));
  }

  /** The {@code k} most similar identities of each probe, best first. */
  public List<List<Hit>> search(float[][] probes, int k, GalleryOptions options) {
    TemplateMatrix.Result[] found =
        templates.search(probes, k, options.executor(), options.parallelism() - 1);
    List<List<Hit>> result = new ArrayList<>(found.length);
    for (TemplateMatrix.Result r : found) {
      List<Hit> ranked = new ArrayList<>(r.slots().length);
      for (int i = 0; i < r.slots().length; i++) {
        ranked.add(new Hit(nameOfSlot.get(r.slots()[i]), r.scores()[i]));
      }
      result.add(ranked);
    }
    return result;
  }
}
