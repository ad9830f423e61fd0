/**
 * Subtitle streams in stream copy: selected by `subtitles` (all, an index, a
 * language), carried packet for packet with their language into a container
 * that takes their codec; one that does not is a typed error naming it.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { BeamflowError, decodeFile, demuxFile, type Envelope } from '@beamflow/core';
import { Muxer, Rescaler } from '@beamflow/muxer';
import { decodeErrors, ffmpeg, outcome, tempDir } from '../../../../test/support/media.js';
import { expectNoNativeLeaks } from '../../../../test/support/leak-hooks.js';

expectNoNativeLeaks();

const dir = tempDir('subtitles');
const srt = (text: string) => {
  const p = join(dir, `${text}.srt`);
  writeFileSync(p, `1\n00:00:00,000 --> 00:00:00,800\n${text} one\n\n2\n00:00:01,000 --> 00:00:01,800\n${text} two\n\n3\n00:00:01,900 --> 00:00:02,000\n${text} three\n`);
  return p;
};
const mkv = join(dir, 'in.mkv');
ffmpeg([
  '-f', 'lavfi', '-i', 'testsrc2=size=128x72:rate=25', '-f', 'lavfi', '-i', 'sine=sample_rate=48000', '-i', srt('Hallo'), '-i', srt('Bonjour'), '-t', '2',
  '-map', '0', '-map', '1', '-map', '2', '-map', '3', '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-c:s', 'srt',
  '-metadata:s:s:0', 'language=deu', '-metadata:s:s:1', 'language=fra', mkv,
]);

interface ProbedStream { codec_type: string; codec_name: string; nb_read_packets?: string; tags?: { language?: string } }
function probeStreams(path: string): ProbedStream[] {
  const r = spawnSync('ffprobe', ['-v', 'error', '-count_packets', '-show_streams', '-of', 'json', path], { encoding: 'utf8' });
  return (JSON.parse(r.stdout) as { streams: ProbedStream[] }).streams;
}

describe('subtitles in stream copy', () => {
  it('subtitles: true carries every subtitle stream, packet for packet, with its language', async () => {
    const out = join(dir, 'all.mkv');
    await pipeline(demuxFile(mkv, { subtitles: true }), new Rescaler(), new Muxer({ format: 'matroska', output: out }));
    const subs = probeStreams(out).filter((s) => s.codec_type === 'subtitle');
    expect(subs.map((s) => [s.codec_name, s.nb_read_packets, s.tags?.language])).toEqual([['subrip', '3', 'deu'], ['subrip', '3', 'fra']]);
    expect(decodeErrors(out)).toBe('');
  });

  it('a language picks its stream; by default there are none; the descriptor says subtitle', async () => {
    const envs: Envelope[] = [];
    for await (const e of demuxFile(mkv, { subtitles: 'fra' })) envs.push(e as Envelope);
    const descs = envs.filter((e) => e.type === 'stream');
    expect(descs.map((d) => d.type === 'stream' && [d.kind, d.codecpar.name, d.language])).toEqual([['video', 'h264', undefined], ['audio', 'aac', undefined], ['subtitle', 'subrip', 'fra']]);
    expect(envs.filter((e) => e.type === 'packet' && e.kind === 'subtitle')).toHaveLength(3);
    const plain: Envelope[] = [];
    for await (const e of demuxFile(mkv)) plain.push(e as Envelope);
    expect(plain.some((e) => (e.type === 'stream' || e.type === 'packet') && e.kind === 'subtitle')).toBe(false);
  });

  it('SubRip into MP4 (which takes only mov_text) is a typed error naming the codec; mov_text MP4 copies', async () => {
    const r = await outcome(pipeline(demuxFile(mkv, { subtitles: 'deu' }), new Rescaler(), new Muxer({ format: 'mp4', output: join(dir, 'bad.mp4') })));
    expect(r.ok).toBe(false);
    const err = (r as { error: unknown }).error;
    expect(BeamflowError.isInstance(err) && err.code, String(err)).toBe('BEAMFLOW_FFMPEG');
    expect(String(err)).toMatch(/subrip/);
    const movText = join(dir, 'mov-text.mp4');
    ffmpeg(['-i', mkv, '-map', '0:v', '-map', '0:s:0', '-c:v', 'copy', '-c:s', 'mov_text', movText]);
    const out = join(dir, 'copy.mp4');
    await pipeline(demuxFile(movText, { subtitles: true }), new Rescaler(), new Muxer({ format: 'mp4', output: out }));
    // MP4 fills the gaps between cues with empty samples: the copy has the source's packets, gaps too.
    const subsOf = (p: string) => probeStreams(p).filter((s) => s.codec_type === 'subtitle').map((s) => [s.codec_name, s.nb_read_packets]);
    expect(subsOf(out)).toEqual(subsOf(movText));
    expect(Number(subsOf(out)[0]![1])).toBeGreaterThanOrEqual(3);
  });

  it('subtitles are refused by decodeFile, and an unknown language is a ConfigError listing the streams', async () => {
    expect(() => decodeFile(mkv, { subtitles: true })).toThrow(expect.objectContaining({ code: 'BEAMFLOW_CONFIG', field: 'subtitles' }));
    const r = await outcome((async () => {
      for await (const _e of demuxFile(mkv, { subtitles: 'eng' })) void _e;
    })());
    expect(r.ok).toBe(false);
    expect((r as { error: unknown }).error).toMatchObject({ code: 'BEAMFLOW_CONFIG', field: 'subtitles', allowed: ['2: deu', '3: fra'] });
  });
});
