package dev.semblance.video;

import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_alloc_context3;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_decoder;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_open2;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_to_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_frame;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_packet;
import static org.bytedeco.ffmpeg.global.avdevice.avdevice_register_all;
import static org.bytedeco.ffmpeg.global.avformat.av_find_best_stream;
import static org.bytedeco.ffmpeg.global.avformat.av_find_input_format;
import static org.bytedeco.ffmpeg.global.avformat.av_read_frame;
import static org.bytedeco.ffmpeg.global.avformat.avformat_close_input;
import static org.bytedeco.ffmpeg.global.avformat.avformat_find_stream_info;
import static org.bytedeco.ffmpeg.global.avformat.avformat_open_input;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_VIDEO;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_FATAL;
import static org.bytedeco.ffmpeg.global.avutil.AV_NOPTS_VALUE;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_RGB24;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_free;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_set;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_log_set_level;
import static org.bytedeco.ffmpeg.global.avutil.av_q2d;
import static org.bytedeco.ffmpeg.global.avutil.av_strerror;
import static org.bytedeco.ffmpeg.global.swscale.SWS_BILINEAR;
import static org.bytedeco.ffmpeg.global.swscale.sws_freeContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_getContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_scale;

import dev.semblance.RgbFrame;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVInputFormat;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.swscale.SwsContext;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * Frames of a video file (MP4, MKV, AVI, WebM…) or network stream (RTSP, HTTP) decoded by FFmpeg
 * and converted straight into 8-bit RGB {@link RgbFrame}s, one at a time.
 *
 * <pre>{@code
 * try (VideoSource video = VideoSource.open("door.mp4")) {
 *   for (Optional<VideoFrame> f; (f = video.next()).isPresent(); ) {
 *     List<Detection> faces = encoder.detect(f.get().image());
 *   }
 * }
 * }</pre>
 *
 * <p><b>Thread safety.</b> Not thread-safe: one thread decodes (see {@code FaceWatcher}); {@link
 * #close()} from another thread is not allowed while {@link #next()} runs.
 */
public final class VideoSource implements AutoCloseable {
  private static final int EAGAIN = -11;
  private static final Pattern CREDENTIALS =
      Pattern.compile("^([a-zA-Z][a-zA-Z0-9+.-]*://[^/@:]*:)[^/@]*@");

  static {
    av_log_set_level(AV_LOG_FATAL); // FFmpeg prints to stderr; failures come back as exceptions
  }

  private final String location;
  private final AVFormatContext format;
  private final AVCodecContext codec;
  private final int streamIndex;
  private final double timeBase;

  /** MPEG-TS and RTSP clocks do not start at zero: times count from the first frame's. */
  private double startSeconds = Double.NaN;

  private final double frameRate;
  private final AVFrame decoded = av_frame_alloc();
  private final AVPacket packet = av_packet_alloc();
  private SwsContext scaler;
  private int scalerWidth;
  private int scalerHeight;
  private int scalerFormat = -1;
  private long index;
  private boolean draining;
  private boolean finished;
  private boolean closed;

  private VideoSource(String location, AVFormatContext format, AVCodecContext codec, int stream) {
    this.location = location;
    this.format = format;
    this.codec = codec;
    this.streamIndex = stream;
    AVStream s = format.streams(stream);
    this.timeBase = av_q2d(s.time_base());
    double rate = av_q2d(s.avg_frame_rate());
    this.frameRate = rate > 0 ? rate : av_q2d(s.r_frame_rate());
  }

  /**
   * Opens a video file, a stream URL ({@code rtsp://}, {@code http://}) or a V4L2 camera ({@code
   * /dev/video0}); a stream that sends nothing for 10 s fails.
   *
   * @throws VideoException if it cannot be opened, has no video, or its codec is not supported
   */
  public static VideoSource open(String location) {
    return open(location, Duration.ofSeconds(10));
  }

  /**
   * Opens a video as {@link #open(String)} does; a network stream that sends nothing for {@code
   * timeout} fails, while opening or later.
   */
  public static VideoSource open(String location, Duration timeout) {
    return open(location, timeout, Map.of());
  }

  /**
   * Opens a video as {@link #open(String, Duration)} does, with FFmpeg's own options for its
   * protocol or format: e.g. {@code rtsp_transport} = {@code tcp} or {@code udp} for an RTSP
   * camera, or {@code rtsp_flags} = {@code listen} to receive a stream a camera pushes.
   */
  public static VideoSource open(String location, Duration timeout, Map<String, String> ffmpeg) {
    Objects.requireNonNull(location, "location");
    AVFormatContext format = new AVFormatContext(null);
    AVDictionary options = new AVDictionary(null);
    String micros = String.valueOf(timeout.toNanos() / 1000);
    av_dict_set(options, "rw_timeout", micros, 0); // network protocols only
    av_dict_set(options, "timeout", micros, 0);
    ffmpeg.forEach((key, value) -> av_dict_set(options, key, value, 0));
    AVInputFormat input = null;
    if (location.startsWith("/dev/video")) {
      avdevice_register_all();
      input = av_find_input_format("video4linux2");
    }
    int r = avformat_open_input(format, location, input, options);
    av_dict_free(options);
    if (r < 0) {
      throw new VideoException("cannot open video " + redact(location) + ": " + reason(r));
    }
    AVCodecContext codec = null;
    try {
      check(avformat_find_stream_info(format, (PointerPointer<?>) null), "read", redact(location));
      int stream = av_find_best_stream(format, AVMEDIA_TYPE_VIDEO, -1, -1, (AVCodec) null, 0);
      if (stream < 0) {
        throw new VideoException("no video stream in " + redact(location) + ": " + reason(stream));
      }
      AVCodec decoder = avcodec_find_decoder(format.streams(stream).codecpar().codec_id());
      if (decoder == null) {
        throw new VideoException("no decoder for the video codec of " + redact(location));
      }
      codec = avcodec_alloc_context3(decoder);
      check(
          avcodec_parameters_to_context(codec, format.streams(stream).codecpar()),
          "configure the decoder of",
          redact(location));
      check(
          avcodec_open2(codec, decoder, (AVDictionary) null),
          "open the decoder of",
          redact(location));
      if (codec.width() <= 0 || codec.height() <= 0) {
        throw new VideoException("video " + redact(location) + " has no frame size");
      }
      return new VideoSource(location, format, codec, stream);
    } catch (RuntimeException e) {
      if (codec != null) {
        avcodec_free_context(codec);
      }
      avformat_close_input(format);
      throw e;
    }
  }

  /**
   * A location as it may be shown in logs and messages: the password of a URL's {@code
   * user:password@} replaced by {@code ***}.
   */
  static String redact(String location) {
    return CREDENTIALS.matcher(location).replaceFirst("$1***@");
  }

  /** The source as it was opened. */
  public String location() {
    return location;
  }

  public int width() {
    return codec.width();
  }

  public int height() {
    return codec.height();
  }

  /** Frames per second as the container declares it, or 0 when it does not. */
  public double frameRate() {
    return frameRate;
  }

  /**
   * The next frame, or empty at the end of the video.
   *
   * @throws VideoException if the source breaks (a read or network error; not a damaged frame,
   *     which the decoder skips)
   */
  public Optional<VideoFrame> next() {
    if (closed) {
      throw new IllegalStateException("this VideoSource is closed");
    }
    while (!finished) {
      int r = avcodec_receive_frame(codec, decoded);
      if (r == 0) {
        return Optional.of(convert());
      }
      if (r == AVERROR_EOF) {
        finished = true;
        break;
      }
      if (r != EAGAIN) {
        throw new VideoException("cannot decode " + redact(location) + ": " + reason(r));
      }
      if (draining) {
        finished = true;
        break;
      }
      feed();
    }
    return Optional.empty();
  }

  /** Gives the decoder the next packet of the video stream, or tells it the input ended. */
  private void feed() {
    while (true) {
      int r = av_read_frame(format, packet);
      if (r == AVERROR_EOF) {
        draining = true;
        avcodec_send_packet(codec, null);
        return;
      }
      if (r < 0) {
        throw new VideoException("cannot read " + redact(location) + ": " + reason(r));
      }
      try {
        if (packet.stream_index() == streamIndex) {
          // A damaged packet is refused by the decoder: skip it, as players do.
          avcodec_send_packet(codec, packet);
          return;
        }
      } finally {
        av_packet_unref(packet);
      }
    }
  }

  private VideoFrame convert() {
    int w = decoded.width();
    int h = decoded.height();
    if (scaler == null
        || w != scalerWidth
        || h != scalerHeight
        || decoded.format() != scalerFormat) {
      if (scaler != null) {
        sws_freeContext(scaler);
      }
      scaler =
          sws_getContext(
              w,
              h,
              decoded.format(),
              w,
              h,
              AV_PIX_FMT_RGB24,
              SWS_BILINEAR,
              null,
              null,
              (DoublePointer) null);
      if (scaler == null) {
        throw new VideoException("cannot convert the frames of " + redact(location) + " to RGB");
      }
      scalerWidth = w;
      scalerHeight = h;
      scalerFormat = decoded.format();
    }
    byte[] rgb = new byte[3 * w * h];
    // swscale reads four planes and four strides, even for one packed plane.
    try (BytePointer out = new BytePointer((long) rgb.length);
        PointerPointer<BytePointer> planes = new PointerPointer<>(4);
        IntPointer strides = new IntPointer(3 * w, 0, 0, 0)) {
      planes.put(0, out);
      sws_scale(scaler, decoded.data(), decoded.linesize(), 0, h, planes, strides);
      out.get(rgb);
    }
    long pts = decoded.best_effort_timestamp();
    double seconds =
        pts == AV_NOPTS_VALUE ? (frameRate > 0 ? index / frameRate : 0) : pts * timeBase;
    if (Double.isNaN(startSeconds)) {
      startSeconds = seconds;
    }
    seconds -= startSeconds;
    return new VideoFrame(
        index++, Duration.ofNanos(Math.round(seconds * 1e9)), RgbFrame.of(w, h, rgb));
  }

  /** Releases FFmpeg's decoder and demuxer. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (scaler != null) {
      sws_freeContext(scaler);
    }
    av_frame_free(decoded);
    av_packet_free(packet);
    avcodec_free_context(codec);
    avformat_close_input(format);
  }

  private static void check(int result, String what, String location) {
    if (result < 0) {
      throw new VideoException(
          "cannot " + what + " video " + redact(location) + ": " + reason(result));
    }
  }

  /** FFmpeg's words for an error code. */
  static String reason(int error) {
    byte[] text = new byte[256];
    try (BytePointer buffer = new BytePointer(text.length)) {
      av_strerror(error, buffer, text.length);
      buffer.get(text);
    }
    int end = 0;
    while (end < text.length && text[end] != 0) {
      end++;
    }
    return new String(text, 0, end, StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return "VideoSource[" + redact(location) + ", " + width() + "x" + height() + "]";
  }
}
