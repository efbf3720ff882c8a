package dev.semblance.internal.cluster;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.StreamCorruptedException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which cluster each face of a {@link FaceGraph} is in, with each cluster's members, name and
 * vector sum. The sum makes the average similarity of two clusters exact and cheap: for unit
 * vectors, the mean of a·b over all pairs is (Σa)·(Σb) / (|A| |B|). Not thread-safe.
 */
public final class Partition {
  private final FaceGraph graph;
  private final Map<Integer, Group> groups = new HashMap<>();
  private int[] clusterOf = new int[0];
  private int[] slot = new int[0]; // each face's position in its cluster's member array
  private int nextId;

  private static final class Group {
    int[] members = new int[1];
    int size;
    float[] sum; // null for one member: its vector is the sum
    String name;
    int version;
  }

  public Partition(FaceGraph graph) {
    this.graph = graph;
  }

  /** Puts a new face of the graph in a cluster of its own; returns the cluster's id. */
  public int addSingleton(int face) {
    if (face >= clusterOf.length) {
      int capacity = Math.max(16, face + (face >> 1) + 1);
      clusterOf = Arrays.copyOf(clusterOf, capacity);
      slot = Arrays.copyOf(slot, capacity);
    }
    Group g = new Group();
    int id = nextId++;
    groups.put(id, g);
    place(face, id, g);
    return id;
  }

  public int clusterOf(int face) {
    return clusterOf[face];
  }

  public boolean exists(int cluster) {
    return groups.containsKey(cluster);
  }

  public int size(int cluster) {
    return group(cluster).size;
  }

  /** Changes whenever the cluster gains or loses a face. */
  public int version(int cluster) {
    return group(cluster).version;
  }

  /** The cluster's name, or null. */
  public String name(int cluster) {
    return group(cluster).name;
  }

  public void setName(int cluster, String name) {
    group(cluster).name = name;
  }

  public int firstMember(int cluster) {
    return group(cluster).members[0];
  }

  public int[] members(int cluster) {
    Group g = group(cluster);
    return Arrays.copyOf(g.members, g.size);
  }

  public List<Integer> clusters() {
    return new ArrayList<>(groups.keySet());
  }

  /** Two clusters may become one unless they carry different names. */
  public boolean canMerge(int a, int b) {
    String x = group(a).name;
    String y = group(b).name;
    return x == null || y == null || x.equals(y);
  }

  /**
   * Joins two clusters. The named one keeps its id, else the bigger one (the older on a tie), so
   * ids stay stable as clusters grow. Returns the id kept.
   */
  public int merge(int a, int b) {
    Group ga = group(a);
    Group gb = group(b);
    boolean keepA =
        ga.name != null
            || (gb.name == null && (ga.size > gb.size || (ga.size == gb.size && a < b)));
    int keep = keepA ? a : b;
    int drop = keepA ? b : a;
    Group k = keepA ? ga : gb;
    Group d = keepA ? gb : ga;
    float[] sum = k.sum != null ? k.sum : sumCopy(k);
    addInto(sum, d);
    k.sum = sum;
    for (int i = 0; i < d.size; i++) {
      place(d.members[i], keep, k);
    }
    if (k.name == null) {
      k.name = d.name;
    }
    groups.remove(drop);
    return keep;
  }

  /** Moves one face to another existing cluster; its old cluster disappears when emptied. */
  public void move(int face, int target) {
    int from = clusterOf[face];
    if (from == target) {
      return;
    }
    Group g = group(from);
    int at = slot[face];
    int last = g.members[g.size - 1];
    g.members[at] = last;
    slot[last] = at;
    g.size--;
    g.version++;
    if (g.size == 0) {
      groups.remove(from);
    } else if (g.size == 1) {
      g.sum = null;
    } else {
      subtract(g.sum, face);
    }
    Group t = group(target);
    float[] sum = t.sum != null ? t.sum : sumCopy(t);
    addFace(sum, face);
    t.sum = sum;
    place(face, target, t);
  }

  /** The mean similarity over all pairs of faces of two clusters. */
  public double linkage(int a, int b) {
    Group ga = group(a);
    Group gb = group(b);
    float[] v = graph.vectors();
    int n = graph.dimension();
    float[] sa = ga.sum != null ? ga.sum : v;
    int oa = ga.sum != null ? 0 : ga.members[0] * n;
    float[] sb = gb.sum != null ? gb.sum : v;
    int ob = gb.sum != null ? 0 : gb.members[0] * n;
    return graph.dot(sa, oa, sb, ob) / ((double) ga.size * gb.size);
  }

  /** The mean of a cluster's unit vectors (not normalised). */
  public float[] mean(int cluster) {
    Group g = group(cluster);
    float[] mean = sumCopy(g);
    for (int i = 0; i < mean.length; i++) {
      mean[i] /= g.size;
    }
    return mean;
  }

  /** Writes the next id and every cluster: id, name, members. */
  public void writeTo(DataOutputStream out) throws IOException {
    out.writeInt(nextId);
    out.writeInt(groups.size());
    for (Map.Entry<Integer, Group> e : groups.entrySet()) {
      Group g = e.getValue();
      out.writeInt(e.getKey());
      out.writeBoolean(g.name != null);
      if (g.name != null) {
        out.writeUTF(g.name);
      }
      out.writeInt(g.size);
      for (int i = 0; i < g.size; i++) {
        out.writeInt(g.members[i]);
      }
    }
  }

  /**
   * Reads what {@link #writeTo} wrote for the faces of {@code graph}: every face must be in exactly
   * one cluster. Sums are recomputed from the vectors.
   *
   * @throws IOException if the data is cut short, out of range or inconsistent
   */
  public static Partition readFrom(DataInputStream in, FaceGraph graph) throws IOException {
    Partition p = new Partition(graph);
    int faces = graph.size();
    p.clusterOf = new int[Math.max(16, faces)];
    p.slot = new int[p.clusterOf.length];
    Arrays.fill(p.clusterOf, -1);
    p.nextId = in.readInt();
    int clusters = in.readInt();
    check(clusters >= 0 && clusters <= faces, clusters + " clusters for " + faces + " faces");
    int placed = 0;
    for (int c = 0; c < clusters; c++) {
      int id = in.readInt();
      check(id >= 0 && id < p.nextId && !p.groups.containsKey(id), "cluster id " + id);
      Group g = new Group();
      g.name = in.readBoolean() ? in.readUTF() : null;
      int size = in.readInt();
      check(size >= 1 && size <= faces, "cluster " + id + " of " + size + " faces");
      p.groups.put(id, g);
      for (int i = 0; i < size; i++) {
        int face = in.readInt();
        check(face >= 0 && face < faces && p.clusterOf[face] < 0, "face " + face + " in " + id);
        p.place(face, id, g);
      }
      if (size > 1) {
        float[] sum = p.sumCopy(g);
        for (int i = 1; i < size; i++) {
          p.addFace(sum, g.members[i]);
        }
        g.sum = sum;
      }
      placed += size;
    }
    check(placed == faces, placed + " of " + faces + " faces are in a cluster");
    return p;
  }

  private static void check(boolean ok, String what) throws StreamCorruptedException {
    if (!ok) {
      throw new StreamCorruptedException(what);
    }
  }

  private void addFace(float[] sum, int face) {
    float[] v = graph.vectors();
    int offset = face * graph.dimension();
    for (int i = 0; i < sum.length; i++) {
      sum[i] += v[offset + i];
    }
  }

  private void place(int face, int cluster, Group g) {
    if (g.size == g.members.length) {
      g.members = Arrays.copyOf(g.members, g.size * 2);
    }
    slot[face] = g.size;
    g.members[g.size++] = face;
    g.version++;
    clusterOf[face] = cluster;
  }

  private float[] sumCopy(Group g) {
    if (g.sum != null) {
      return g.sum.clone();
    }
    int n = graph.dimension();
    return Arrays.copyOfRange(graph.vectors(), g.members[0] * n, (g.members[0] + 1) * n);
  }

  private void addInto(float[] sum, Group g) {
    float[] from = g.sum != null ? g.sum : graph.vectors();
    int offset = g.sum != null ? 0 : g.members[0] * graph.dimension();
    for (int i = 0; i < sum.length; i++) {
      sum[i] += from[offset + i];
    }
  }

  private void subtract(float[] sum, int face) {
    float[] v = graph.vectors();
    int offset = face * graph.dimension();
    for (int i = 0; i < sum.length; i++) {
      sum[i] -= v[offset + i];
    }
  }

  private Group group(int cluster) {
    Group g = groups.get(cluster);
    if (g == null) {
      throw new IllegalArgumentException("no cluster " + cluster);
    }
    return g;
  }
}
