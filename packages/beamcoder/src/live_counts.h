/*
  beamflow: live native objects, counted by kind, as GStreamer's leaks tracer
  counts them. Every AVFrame and AVPacket this addon allocates or clones is
  counted until it frees it (the av_* calls of every source file that includes
  this header are routed through the counting versions below), and each kind of
  native object handed to JavaScript is counted from its creation to its
  finalizer. A teardown that returns the counts to their earlier values has
  released everything; a kind that stays above names what leaked.
*/

#ifndef LIVE_COUNTS_H
#define LIVE_COUNTS_H

#include <atomic>
#include <cstdint>

extern "C" {
  #include <libavutil/frame.h>
  #include <libavcodec/packet.h>
}

enum LiveKind {
  LIVE_FRAMES,           // AVFrame structs owned by the addon
  LIVE_PACKETS,          // AVPacket structs owned by the addon
  LIVE_FRAME_BUFFERS,    // JavaScript Buffers over a frame's data planes
  LIVE_PACKET_BUFFERS,   // JavaScript Buffers over a packet's data
  LIVE_CODEC_CONTEXTS,   // encoders and decoders
  LIVE_CODEC_PARAMETERS, // codec parameters owned by their JavaScript object
  LIVE_FORMAT_CONTEXTS,  // demuxers and muxers
  LIVE_FILTER_GRAPHS,    // filterers
  LIVE_HW_CONTEXTS,      // hardware device and frames contexts
  LIVE_IO_ADAPTORS,      // custom-I/O adaptors between Node streams and FFmpeg
  LIVE_KINDS
};

extern std::atomic<int64_t> beamflowLive[LIVE_KINDS];
extern const char* const beamflowLiveNames[LIVE_KINDS];

inline void liveAdd(LiveKind kind, int64_t delta) {
  beamflowLive[kind].fetch_add(delta, std::memory_order_relaxed);
}

inline AVFrame* countedFrameAlloc() {
  AVFrame* f = av_frame_alloc();
  if (f != nullptr) liveAdd(LIVE_FRAMES, 1);
  return f;
}
inline AVFrame* countedFrameClone(const AVFrame* src) {
  AVFrame* f = av_frame_clone(src);
  if (f != nullptr) liveAdd(LIVE_FRAMES, 1);
  return f;
}
inline void countedFrameFree(AVFrame** f) {
  if (f != nullptr && *f != nullptr) liveAdd(LIVE_FRAMES, -1);
  av_frame_free(f);
}
inline AVPacket* countedPacketAlloc() {
  AVPacket* p = av_packet_alloc();
  if (p != nullptr) liveAdd(LIVE_PACKETS, 1);
  return p;
}
inline AVPacket* countedPacketClone(const AVPacket* src) {
  AVPacket* p = av_packet_clone(src);
  if (p != nullptr) liveAdd(LIVE_PACKETS, 1);
  return p;
}
inline void countedPacketFree(AVPacket** p) {
  if (p != nullptr && *p != nullptr) liveAdd(LIVE_PACKETS, -1);
  av_packet_free(p);
}

#define av_frame_alloc countedFrameAlloc
#define av_frame_clone countedFrameClone
#define av_frame_free countedFrameFree
#define av_packet_alloc countedPacketAlloc
#define av_packet_clone countedPacketClone
#define av_packet_free countedPacketFree

#endif // LIVE_COUNTS_H
