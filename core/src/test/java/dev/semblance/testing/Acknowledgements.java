package dev.semblance.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

/**
 * What a crash-test child has acknowledged on its standard output: a line "i" for each enrolment of
 * p&lt;i&gt; that returned, "-j" for each removal of p&lt;j&gt;. Only whole lines count: text after
 * the last newline was never fully acknowledged.
 *
 * <p>Thread safety: the sets are concurrent; one reader thread per child.
 */
public final class Acknowledgements {
  public final Set<Long> enrolled = ConcurrentHashMap.newKeySet();
  public final Set<Long> removed = ConcurrentHashMap.newKeySet();

  /**
   * Starts a thread that records {@code child}'s acknowledgements until its pipe closes and counts
   * {@code started} down at the first.
   */
  public Thread read(Process child, CountDownLatch started) {
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(child.getInputStream(), StandardCharsets.US_ASCII))) {
                StringBuilder line = new StringBuilder();
                for (int c; (c = in.read()) != -1; ) {
                  if (c != '\n') {
                    line.append((char) c);
                    continue;
                  }
                  String ack = line.toString();
                  line.setLength(0);
                  if (ack.startsWith("-")) {
                    removed.add(Long.parseLong(ack.substring(1)));
                  } else {
                    enrolled.add(Long.parseLong(ack));
                  }
                  started.countDown();
                }
              } catch (IOException ignored) {
                // the pipe closed with the child
              }
            });
    reader.start();
    return reader;
  }
}
