import { Frame } from "./Frame"
import { Packet } from "./Packet"
import { HWDeviceContext, HWFramesContext } from "./HWContext"

/** What the addon was compiled from and against (this fork only). */
export interface BuildInfo {
  /** Always `'@beamflow/beamcoder'`. */
  readonly package: string
  /** The package version the addon was built from. */
  readonly version: string
  /** The beamcoder release the fork starts from (`'0.7.1'`). */
  readonly upstream: string
  /** Hash of binding.gyp and src/ at build time (see lib/source-hash.cjs). */
  readonly sourceHash: string
  /** The N-API version the addon was compiled for. */
  readonly napiVersion: number
  /** LIB*_VERSION_INT of the FFmpeg headers compiled against; `versions()` gives the libraries loaded. */
  readonly builtAgainst: ReturnType<typeof import("../index").versions>
}

/** What the addon was compiled from and against. */
export function buildInfo(): BuildInfo

/** A new frame referencing the same buffers (av_frame_clone): its own timestamps and ownership. */
export function cloneFrame(frame: Frame): Frame
/** A new packet referencing the same payload (av_packet_clone). */
export function clonePacket(packet: Packet): Packet

/** Open a hardware device (av_hwdevice_ctx_create). */
export function hwDeviceContext(type: string, device?: string): HWDeviceContext
/** A pool of device frames on a device (av_hwframe_ctx_init). */
export function hwFramesContext(
  device: HWDeviceContext,
  options: { pix_fmt: string, sw_pix_fmt: string, width: number, height: number, initial_pool_size?: number }
): HWFramesContext
/** Copy a frame in system memory into a frame of the pool (av_hwframe_transfer_data). */
export function hwUpload(frame: Frame, frames: HWFramesContext): Frame
/** Copy a device frame into system memory. */
export function hwDownload(frame: Frame): Frame

/** Native objects alive now, by kind (this fork counts them; see src/live_counts.h). */
export function liveObjects(): LiveObjects
export interface LiveObjects {
  frames: number
  packets: number
  frameBuffers: number
  packetBuffers: number
  codecContexts: number
  codecParameters: number
  formatContexts: number
  filterGraphs: number
  hwContexts: number
  ioAdaptors: number
}

/**
 * glibc's allocator statistics, `mallinfo2()` summed over every arena, in bytes
 * except the counts: what malloc hands out (`uordblks`) as against what its
 * arenas keep free (`fordblks`) and what it mapped for large blocks (`hblkhd`),
 * which RSS mixes together. `null` where the C library is not glibc 2.33 or later.
 */
export function mallocStats(): MallocStats | null
export interface MallocStats {
  /** Bytes the arenas took from the system with sbrk/mmap, mmapped blocks aside. */
  arena: number
  /** Free chunks in the arenas. */
  ordblks: number
  /** Blocks mapped with mmap (large allocations). */
  hblks: number
  /** Bytes in those mmapped blocks. */
  hblkhd: number
  /** Bytes allocated and not freed (in the arenas). */
  uordblks: number
  /** Bytes free in the arenas, kept by malloc. */
  fordblks: number
  /** Free bytes at the top of the main heap that `malloc_trim` can give back. */
  keepcost: number
}
/** `malloc_trim(0)`: gives free arena memory back to the system; true when some was released (false off glibc). */
export function mallocTrim(): boolean
