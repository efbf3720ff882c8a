package dev.semblance.internal.gallery;

import dev.semblance.GalleryFormatException;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * AES-GCM for gallery records: each record's payload becomes a fresh random 96-bit nonce and its
 * ciphertext with a 128-bit tag. The associated data binds a record to its file kind, the log's
 * generation and its position, so records cannot be reordered, dropped from the middle or moved
 * between files without the tag failing. The key is the caller's and is never stored.
 *
 * <p>Thread-safe.
 */
public final class RecordCipher {
  private static final int NONCE = 12;
  private static final int TAG_BITS = 128;
  private final SecretKey key;
  private final SecureRandom random = new SecureRandom();

  private RecordCipher(SecretKey key) {
    this.key = key;
  }

  /**
   * @throws IllegalArgumentException unless {@code key} is an AES key of 128, 192 or 256 bits
   */
  public static RecordCipher of(SecretKey key) {
    byte[] encoded = key.getEncoded();
    if (!"AES".equalsIgnoreCase(key.getAlgorithm())
        || encoded == null
        || !(encoded.length == 16 || encoded.length == 24 || encoded.length == 32)) {
      throw new IllegalArgumentException(
          "gallery encryption needs an AES key of 128, 192 or 256 bits, not "
              + key.getAlgorithm()
              + (encoded == null ? "" : " of " + 8 * encoded.length + " bits"));
    }
    return new RecordCipher(key);
  }

  static byte[] associatedData(char fileKind, long generation, long record) {
    return ByteBuffer.allocate(17).put((byte) fileKind).putLong(generation).putLong(record).array();
  }

  byte[] seal(byte[] payload, byte[] associatedData) {
    byte[] nonce = new byte[NONCE];
    random.nextBytes(nonce);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(associatedData);
      byte[] sealed = cipher.doFinal(payload);
      byte[] out = Arrays.copyOf(nonce, NONCE + sealed.length);
      System.arraycopy(sealed, 0, out, NONCE, sealed.length);
      return out;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is unavailable in this JVM: " + e, e);
    }
  }

  /**
   * @throws GalleryFormatException if the tag fails: a wrong key, or an altered record
   */
  byte[] open(byte[] sealed, byte[] associatedData, String source, long offset) {
    if (sealed.length < NONCE + TAG_BITS / 8) {
      throw new GalleryFormatException(
          "encrypted record at byte " + offset + " of " + source + " is too short");
    }
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, sealed, 0, NONCE));
      cipher.updateAAD(associatedData);
      return cipher.doFinal(sealed, NONCE, sealed.length - NONCE);
    } catch (AEADBadTagException e) {
      throw new GalleryFormatException(
          "cannot decrypt "
              + source
              + " at byte "
              + offset
              + ": wrong key, or the file was altered");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is unavailable in this JVM: " + e, e);
    }
  }
}
