// Over 400 lines: one directory's state machine (open and recover, append, group commit,
// compact) kept in one class, since its crash-safety argument spans all four.
package dev.semblance.internal.gallery;

import dev.semblance.Durability;
import dev.semblance.GalleryFormatException;
import dev.semblance.GalleryLockedException;
import dev.semblance.io.DurableFiles;
import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A gallery directory: {@code snapshot-G.smbg} (the state at generation G; none for generation 0),
 * {@code log-G.smbg} (every operation since, appended and synced before it is acknowledged) and
 * {@code lock} (held while open, so one writer at a time across processes).
 *
 * <p>Compaction to generation G + 1 writes the snapshot to a temporary file, syncs and renames it,
 * then does the same for an empty log, then zeroes and deletes the generation-G files. A crash at
 * any point leaves a directory that opens to the same state: snapshot G + 1 with log G left over
 * means the snapshot already holds everything in that log.
 *
 * <p>With a {@link RecordCipher} every record of both files is sealed with AES-GCM.
 *
 * <p>Not thread-safe except {@link #awaitDurable}: the gallery serialises appends and compaction.
 */
public final class GalleryStore implements Closeable {
  private static final Logger log = LoggerFactory.getLogger(GalleryStore.class);
  private static final Pattern SNAPSHOT = Pattern.compile("snapshot-(\\d+)\\.smbg");
  private static final Pattern LOG = Pattern.compile("log-(\\d+)\\.smbg");

  private final Path directory;
  private final Durability durability;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final String embedderId;
  private final int dimension;
  private final RecordCipher cipher;
  private long generation;

  /** The index of the next record in the current log (its header is record 0). */
  private long nextRecord;

  private FileChannel logChannel;
  private volatile long written;
  private final Object syncMonitor = new Object();
  private long synced;

  private GalleryStore(
      Path directory,
      Durability durability,
      FileChannel lockChannel,
      FileLock lock,
      String embedderId,
      int dimension,
      RecordCipher cipher) {
    this.cipher = cipher;
    this.directory = directory;
    this.durability = durability;
    this.lockChannel = lockChannel;
    this.lock = lock;
    this.embedderId = embedderId;
    this.dimension = dimension;
  }

  /**
   * Opens or creates the gallery in {@code directory}, replaying its snapshot and log into {@code
   * replay}: the snapshot's settings and templates, then each change logged since. A torn last log
   * record is cut off with a warning.
   *
   * @throws GalleryLockedException if another writer holds the directory
   * @throws GalleryFormatException if a file is damaged, the snapshot and log do not belong
   *     together, or the gallery holds templates of another embedder or dimension
   */
  public static GalleryStore open(
      Path directory,
      String embedderId,
      int dimension,
      Durability durability,
      RecordCipher cipher,
      Consumer<Change> replay) {
    try {
      Files.createDirectories(directory);
      FileChannel lockChannel =
          FileChannel.open(
              directory.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = lockChannel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        lockChannel.close();
        throw new GalleryLockedException(
            "gallery "
                + directory
                + " is already open for writing "
                + "(by another process, or by an open Gallery in this one)");
      }
      GalleryStore store =
          new GalleryStore(directory, durability, lockChannel, lock, embedderId, dimension, cipher);
      try {
        store.recover(replay);
      } catch (RuntimeException | IOException e) {
        store.close();
        throw e;
      }
      return store;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open gallery " + directory + ": " + e, e);
    }
  }

  private void recover(Consumer<Change> replay) throws IOException {
    TreeSet<Long> snapshots = new TreeSet<>(), logs = new TreeSet<>();
    try (Stream<Path> files = Files.list(directory)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        String name = file.getFileName().toString();
        Matcher s = SNAPSHOT.matcher(name), l = LOG.matcher(name);
        if (s.matches()) {
          snapshots.add(Long.parseLong(s.group(1)));
        } else if (l.matches()) {
          logs.add(Long.parseLong(l.group(1)));
        } else if (name.endsWith(".tmp")) {
          wipeAndDelete(file); // an unfinished compaction or log creation
        }
      }
    }
    generation = snapshots.isEmpty() ? 0 : snapshots.last();
    if (!logs.isEmpty() && logs.last() > generation) {
      throw new GalleryFormatException(
          "gallery "
              + directory
              + " has log-"
              + logs.last()
              + ".smbg but its newest snapshot is generation "
              + generation
              + ": the snapshot is missing");
    }
    if (generation > 0) {
      Path snapshot = snapshotFile(generation);
      try (InputStream in = new BufferedInputStream(Files.newInputStream(snapshot), 1 << 16)) {
        GalleryCodec.read(
            in,
            snapshot.toString(),
            cipher,
            header -> {
              checkEmbedder(header, snapshot);
              return replay;
            });
      }
    }
    if (logs.contains(generation)) {
      replayLog(replay);
    } else if (generation == 0 || logs.contains(generation - 1)) {
      // A new gallery, or a compaction that finished its snapshot but not its new log.
      createLog(generation);
    } else {
      throw new GalleryFormatException(
          "gallery "
              + directory
              + " has snapshot-"
              + generation
              + ".smbg but no log-"
              + generation
              + ".smbg: the log is missing");
    }
    for (long old : snapshots.headSet(generation)) {
      wipeAndDelete(snapshotFile(old));
    }
    for (long old : logs.headSet(generation)) {
      wipeAndDelete(logFile(old));
    }
    syncDirectory();
  }

  private void replayLog(Consumer<Change> replay) throws IOException {
    Path file = logFile(generation);
    FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
    try {
      long size = channel.size();
      // Not closed: closing a channel's stream would close the channel, which stays open for
      // appends.
      InputStream in =
          new BufferedInputStream(Channels.newInputStream(channel.position(0)), 1 << 16);
      GalleryCodec.LogEnd end =
          GalleryCodec.readLog(
              in,
              size,
              file.toString(),
              generation,
              cipher,
              header -> checkEmbedder(header, file),
              replay);
      long valid = end.validBytes();
      nextRecord = end.records();
      if (valid < size) {
        log.warn(
            "{}: the last record was torn by a crash ({} of {} bytes valid); cutting it off",
            file,
            valid,
            size);
        channel.truncate(valid);
        channel.force(true);
      }
      logChannel = channel;
      written = synced = valid;
      channel.position(valid);
    } catch (RuntimeException | IOException e) {
      channel.close();
      throw e;
    }
  }

  private void checkEmbedder(GalleryCodec.Header header, Path file) {
    String id = header.embedderId();
    int dim = header.dimension();
    if (!id.equals(embedderId) || dim != dimension) {
      throw new GalleryFormatException(
          file
              + " holds "
              + dim
              + "-d templates of embedder "
              + id
              + ", not "
              + dimension
              + "-d templates of "
              + embedderId
              + "; embeddings of different "
              + "models must not be mixed");
    }
  }

  private void createLog(long newGeneration) throws IOException {
    Path file = logFile(newGeneration);
    byte[] start = GalleryCodec.logStart(embedderId, dimension, newGeneration, cipher);
    DurableFiles.replaceOrThrow(file, out -> out.write(start));
    FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
    channel.position(start.length);
    FileChannel old;
    synchronized (syncMonitor) { // no group-commit sync may be using the old channel meanwhile
      old = logChannel;
      logChannel = channel;
      written = synced = start.length;
      generation = newGeneration;
      nextRecord = 1;
    }
    if (old != null) {
      old.close();
    }
  }

  /**
   * Appends one record. With {@link Durability#EVERY_OPERATION} it is on disk when this returns;
   * otherwise call {@link #awaitDurable} with the returned position (outside the gallery lock, so
   * that other writers can join the same sync).
   *
   * @throws UncheckedIOException if the write fails; the log is cut back to before the record
   */
  public long append(byte[] payload) {
    byte[] record = GalleryCodec.logRecord(payload, cipher, generation, nextRecord);
    long before = written;
    try {
      writeFully(logChannel, record);
      if (durability == Durability.EVERY_OPERATION) {
        logChannel.force(false);
      }
    } catch (IOException e) {
      try {
        logChannel.truncate(before);
        logChannel.position(before);
      } catch (IOException ignored) {
        // The torn record will be cut off on the next open.
      }
      throw new UncheckedIOException(
          "cannot append to the gallery log in " + directory + ": " + e, e);
    }
    written = before + record.length;
    nextRecord++;
    if (durability == Durability.EVERY_OPERATION) {
      synced = written;
    }
    return written;
  }

  /**
   * Group commit: returns once the log is on disk up to {@code position}, one sync serving all
   * waiting.
   */
  public void awaitDurable(long position) {
    if (durability != Durability.GROUP_COMMIT) {
      return;
    }
    synchronized (syncMonitor) {
      if (synced >= position) {
        return;
      }
      long target = written;
      try {
        logChannel.force(false);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot sync the gallery log in " + directory + ": " + e, e);
      }
      synced = target;
    }
  }

  /** Bytes in the current log, for deciding when to compact. */
  public long logBytes() {
    return written;
  }

  /**
   * Writes the state given by {@code writer} as the next generation's snapshot and starts its log.
   */
  public void compact(SnapshotWriter writer) {
    long next = generation + 1;
    Path snapshot = snapshotFile(next);
    try {
      awaitAllDurable();
      DurableFiles.replaceOrThrow(snapshot, out -> writer.write(out, cipher));
      long old = generation;
      createLog(next);
      if (old > 0) {
        wipeAndDelete(snapshotFile(old));
      }
      wipeAndDelete(logFile(old));
      syncDirectory();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot compact gallery " + directory + ": " + e, e);
    }
  }

  /** Writes a snapshot (format of {@link GalleryCodec.Writer}). */
  public interface SnapshotWriter {
    void write(OutputStream out, RecordCipher cipher) throws IOException;
  }

  private void awaitAllDurable() throws IOException {
    synchronized (syncMonitor) {
      logChannel.force(false);
      synced = written;
    }
  }

  @Override
  public void close() {
    try {
      if (logChannel != null) {
        if (durability != Durability.NONE) {
          awaitAllDurable();
        }
        logChannel.close();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot close gallery log in " + directory + ": " + e, e);
    } finally {
      try {
        lock.release();
        lockChannel.close();
      } catch (IOException ignored) {
        // Closing the channel releases the lock in any case.
      }
    }
  }

  private Path snapshotFile(long g) {
    return directory.resolve("snapshot-" + g + ".smbg");
  }

  private Path logFile(long g) {
    return directory.resolve("log-" + g + ".smbg");
  }

  /** Overwrites a file with zeros and syncs before deleting it: erased templates leave no copy. */
  private static void wipeAndDelete(Path file) throws IOException {
    if (!Files.exists(file)) {
      return;
    }
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      long size = channel.size();
      ByteBuffer zeros = ByteBuffer.allocate((int) Math.min(size, 1 << 20));
      for (long at = 0; at < size; ) {
        zeros.clear().limit((int) Math.min(zeros.capacity(), size - at));
        at += channel.write(zeros, at);
      }
      channel.force(true);
    }
    Files.delete(file);
  }

  private static void writeFully(FileChannel channel, byte[] bytes) throws IOException {
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
  }

  private void syncDirectory() {
    DurableFiles.fsyncFolder(directory);
  }
}
