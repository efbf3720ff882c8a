package dev.semblance.cuda;

import dev.semblance.spi.AcceleratedIndex.Candidates;
import dev.semblance.spi.NeighbourSearch;
import java.util.Arrays;

/**
 * Neighbours for clustering from the GPU: every face scored against every face on the tensor cores,
 * probes being the new faces in batches, and each shortlist made wide enough that the rounding of
 * half precision cannot have pushed out one of the exact best ({@link Shortlist}). Clustering then
 * scores the shortlist exactly, so its graph equals the exact scan's. Available when a GPU is
 * ({@link CudaAccelerator}) and the dimension is a multiple of 8.
 *
 * <p><b>Thread safety.</b> Safe for concurrent use; each index is used by one thread at a time.
 */
public final class CudaNeighbourSearch implements NeighbourSearch {
  /** New faces searched per call of the tensor-core search. */
  private static final int PROBES = 8192;

  @Override
  public String name() {
    return "cuda";
  }

  @Override
  public boolean isAvailableFor(int dimension) {
    return dimension % 8 == 0 && new CudaAccelerator().isAvailable();
  }

  @Override
  public boolean isExact() {
    return true;
  }

  @Override
  public Index create(int dimension) {
    return new GpuIndex(CudaAccelerator.newIndex(dimension, false));
  }

  private static final class GpuIndex implements Index {
    private final CudaIndex rows;
    private final int dimension;

    GpuIndex(CudaIndex rows) {
      this.rows = rows;
      this.dimension = rows.dimension();
    }

    @Override
    public int[][] add(float[] vectors, int first, int count, int neighbours) {
      for (int i = 0; i < count; i++) {
        rows.append(row(vectors, first + i));
      }
      int[][] found = new int[count][];
      if (neighbours == 0) {
        Arrays.fill(found, new int[0]);
        return found;
      }
      for (int from = 0; from < count; from += PROBES) {
        float[][] probes = new float[Math.min(PROBES, count - from)][];
        for (int i = 0; i < probes.length; i++) {
          probes[i] = row(vectors, first + from + i);
        }
        // One place more for the face itself, which scores highest against itself.
        Candidates[] lists = rows.shortlists(probes, neighbours + 1);
        for (int i = 0; i < probes.length; i++) {
          found[from + i] = lists[i].rows();
        }
      }
      return found;
    }

    private float[] row(float[] vectors, int row) {
      return Arrays.copyOfRange(vectors, row * dimension, (row + 1) * dimension);
    }

    @Override
    public int size() {
      return rows.rowCount();
    }

    @Override
    public void close() {
      rows.close();
    }
  }
}
