package dev.semblance.opensearch;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.semblance.Candidate;
import dev.semblance.Embedding;
import dev.semblance.Gallery;
import dev.semblance.Identification;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recall, latency, indexing speed and size of an OpenSearch gallery against the in-memory gallery
 * on the same templates, at 10k, 30k and 100k templates. Not part of the suite: run with {@code mvn
 * -pl opensearch test -Dtest=OpenSearchBenchmark -Dsemblance.searchBench=true}.
 */
class OpenSearchBenchmark {
  private static final int[] SIZES = {10_000, 30_000, 100_000};
  private static final int[] WIDTHS = {100, 300, 1000, 3000};

  @Test
  void measure(@TempDir Path home) throws Exception {
    assumeTrue(
        Boolean.getBoolean("semblance.searchBench"), "run with -Dsemblance.searchBench=true");
    LfwFaces faces = LfwFaces.load(150);
    Map<String, List<Embedding>> people = new LinkedHashMap<>();
    List<Embedding> mated = new ArrayList<>();
    List<String> truth = new ArrayList<>();
    faces.people.forEach(
        (name, list) -> {
          people.put(name, List.of(list.get(0)));
          for (Embedding e : list.subList(1, list.size())) {
            mated.add(e);
            truth.add(name);
          }
        });
    List<Embedding> probes = new ArrayList<>(mated);
    probes.addAll(faces.strangers);
    List<Embedding> distractors = faces.distractors(SIZES[SIZES.length - 1], 42);
    System.out.printf(
        "%d people enrolled, %d mated probes, %d stranger probes; JVM %s, %d cores%n",
        people.size(),
        mated.size(),
        faces.strangers.size(),
        Runtime.version(),
        Runtime.getRuntime().availableProcessors());
    Gallery memory = Gallery.create(faces.embedderId, faces.dimension);
    try (TestCluster cluster = TestCluster.start(home);
        Gallery remote =
            OpenSearchGallery.builder(cluster.client(), "bench")
                .embedder(faces.embedderId, faces.dimension)
                .shards(1, 0)
                .create()) {
      memory.enrollAll(people);
      remote.enrollAll(people);
      int added = 0;
      for (int size : SIZES) {
        Map<String, List<Embedding>> batch = new LinkedHashMap<>();
        int target = size - people.size();
        long start = System.nanoTime();
        for (; added < target; added++) {
          batch.put("synthetic-" + added, List.of(distractors.get(added)));
          if (batch.size() == 5000 || added == target - 1) {
            remote.enrollAll(batch);
            memory.enrollAll(batch);
            batch.clear();
          }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        var docs = cluster.client().indices().stats(s -> s.index("bench")).all().primaries();
        System.out.printf(
            "%n%,d templates: indexed %.0f templates/s (this step, both galleries); index %.1f MB,"
                + " %.0f bytes/template%n",
            remote.templateCount(),
            (size - (double) previous(size)) / seconds,
            docs.store().sizeInBytes() / 1e6,
            (double) docs.store().sizeInBytes() / docs.docs().count());
        List<Identification> exact = new ArrayList<>();
        long[] memoryNanos = new long[probes.size()];
        for (int p = 0; p < probes.size(); p++) {
          long t = System.nanoTime();
          exact.add(memory.identify(probes.get(p), 10));
          memoryNanos[p] = System.nanoTime() - t;
        }
        // Probes of even-numbered people and strangers choose the default width; odd ones report.
        int[] half = new int[probes.size()];
        List<String> names = new ArrayList<>(people.keySet());
        for (int p = 0; p < probes.size(); p++) {
          half[p] = p < mated.size() ? names.indexOf(truth.get(p)) % 2 : (p - mated.size()) % 2;
        }
        System.out.printf(
            "  in memory: p50 %.2f ms, p95 %.2f ms; rank-1 right %.4f / %.4f (choosing / reporting)%n",
            percentile(memoryNanos, 50),
            percentile(memoryNanos, 95),
            rank1(exact, truth, half, 0),
            rank1(exact, truth, half, 1));
        for (int width : WIDTHS) {
          try (Gallery narrow =
              OpenSearchGallery.builder(cluster.client(), "bench")
                  .embedder(faces.embedderId, faces.dimension)
                  .searchWidth(width)
                  .open()) {
            narrow.identify(probes.get(0), 10); // warm
            List<Identification> found = new ArrayList<>();
            long[] nanos = new long[probes.size()];
            for (int p = 0; p < probes.size(); p++) {
              long t = System.nanoTime();
              found.add(narrow.identify(probes.get(p), 10));
              nanos[p] = System.nanoTime() - t;
            }
            long batchStart = System.nanoTime();
            narrow.identifyAll(probes, 10);
            double batchMs = (System.nanoTime() - batchStart) / 1e6 / probes.size();
            System.out.printf(
                "  width %4d: recall@10 %.4f; p50 %.2f ms, p95 %.2f ms, batched %.2f ms/probe%n",
                width,
                OpenSearchGalleryTest.recallAt10(exact, found),
                percentile(nanos, 50),
                percentile(nanos, 95),
                batchMs);
            for (int h = 0; h < 2; h++) {
              int count = 0;
              int sameRank1 = 0;
              int sameMatedRank1 = 0;
              int matedCount = 0;
              int sameDecision = 0;
              for (int p = 0; p < probes.size(); p++) {
                if (half[p] != h) {
                  continue;
                }
                Identification e = exact.get(p);
                Identification f = found.get(p);
                count++;
                boolean same =
                    e.candidates().get(0).identity().equals(f.candidates().get(0).identity());
                sameRank1 += same ? 1 : 0;
                if (p < mated.size()) {
                  matedCount++;
                  sameMatedRank1 += same ? 1 : 0;
                }
                sameDecision +=
                    e.match().map(Candidate::identity).equals(f.match().map(Candidate::identity))
                        ? 1
                        : 0;
              }
              System.out.printf(
                  "    %s: rank-1 right %.4f; rank-1 = exact %d/%d (mated %d/%d); decision = exact"
                      + " %d/%d%n",
                  h == 0 ? "choosing " : "reporting",
                  rank1(found, truth, half, h),
                  sameRank1,
                  count,
                  sameMatedRank1,
                  matedCount,
                  sameDecision,
                  count);
            }
          }
        }
      }
    }
  }

  /** Latency of one enrolment, and of identifying right after it, by refresh policy. */
  @Test
  void writeLatency(@TempDir Path home) throws Exception {
    assumeTrue(
        Boolean.getBoolean("semblance.searchBench"), "run with -Dsemblance.searchBench=true");
    try (TestCluster cluster = TestCluster.start(home)) {
      for (boolean force : new boolean[] {false, true}) {
        try (Gallery gallery =
            OpenSearchGallery.builder(cluster.client(), force ? "forced" : "waiting")
                .embedder("test", 512)
                .shards(1, 0)
                .forceRefresh(force)
                .create()) {
          java.util.Random random = new java.util.Random(5);
          int n = 60;
          long[] enrol = new long[n];
          int seen = 0;
          for (int i = 0; i < n; i++) {
            float[] v = new float[512];
            for (int j = 0; j < v.length; j++) {
              v[j] = (float) random.nextGaussian();
            }
            Embedding e = Embedding.of(v);
            long t = System.nanoTime();
            gallery.enroll("p" + i, e);
            enrol[i] = System.nanoTime() - t;
            seen += gallery.identify(e, 1).candidates().get(0).identity().equals("p" + i) ? 1 : 0;
          }
          System.out.printf(
              "refresh %s: enrol p50 %.1f ms, p95 %.1f ms; found by the next search %d/%d%n",
              force ? "forced  " : "wait_for",
              percentile(enrol, 50),
              percentile(enrol, 95),
              seen,
              n);
        }
      }
    }
  }

  private static int previous(int size) {
    for (int i = 1; i < SIZES.length; i++) {
      if (SIZES[i] == size) {
        return SIZES[i - 1];
      }
    }
    return 150; // the people enrolled before the first step
  }

  /** The share of the mated probes of one half ranked first right. */
  private static double rank1(
      List<Identification> found, List<String> truth, int[] half, int which) {
    int right = 0;
    int total = 0;
    for (int p = 0; p < truth.size(); p++) {
      if (half[p] == which) {
        total++;
        right += found.get(p).candidates().get(0).identity().equals(truth.get(p)) ? 1 : 0;
      }
    }
    return (double) right / total;
  }

  private static double percentile(long[] nanos, int pct) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    return sorted[Math.min(sorted.length - 1, sorted.length * pct / 100)] / 1e6;
  }
}
