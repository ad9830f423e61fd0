import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { testPattern, type Envelope } from '@beamflow/core';
import { fromReadable } from '@beamflow/core/rx';
import { Encoder, type EncoderConfig } from '@beamflow/encoder';
import { encode } from '@beamflow/encoder/rx';
import { Rescaler } from '@beamflow/muxer';
import { rescale } from '@beamflow/muxer/rx';

const source = () => testPattern({ video: { width: 128, height: 72, frameRate: 25 }, audio: { sampleRate: 48000, channels: 1 }, frames: 20 });
const config: EncoderConfig = { video: { codec: 'h264', preset: 'ultrafast', threads: 1 }, audio: { codec: 'aac' } };

function summary(items: Envelope[]): string[] {
  return items.map((e) =>
    e.type === 'packet'
      ? `${e.streamId} ${e.packet.pts} ${e.packet.dts} ${e.packet.duration} ${e.packet.data.toString('base64')}`
      : e.type === 'stream' ? `stream ${e.streamId} ${e.codecpar.name} ${e.timeBase.num}/${e.timeBase.den}` : 'frame',
  );
}

describe('RxJS operators', () => {
  it('produce the same descriptors and packets as the Node pipeline', async () => {
    const viaNode: Envelope[] = [];
    await pipeline(source(), new Encoder(config), new Rescaler(), new Writable({
      objectMode: true,
      write(e: Envelope, _enc, cb) {
        viaNode.push(e);
        cb();
      },
    }));
    const viaRx = await lastValueFrom(fromReadable<Envelope>(source()).pipe(encode(config), rescale(), toArray()));
    expect(viaNode.filter((e) => e.type === 'packet').length).toBeGreaterThan(20);
    expect(summary(viaRx)).toEqual(summary(viaNode));
  });

  it('a bad config fails where the operator is built', () => {
    expect(() => encode({ video: { codec: 'h246' } })).toThrow(expect.objectContaining({ code: 'BEAMFLOW_CONFIG', field: 'video.codec' }));
  });
});
