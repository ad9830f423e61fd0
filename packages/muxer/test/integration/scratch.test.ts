import { it } from 'vitest';
import { probe, packets, packetSpan } from '../probe.js';
it('spans', () => {
  for (const f of (process.env.FILES ?? '').split(' ')) {
    const pr = probe(f); const pk = packets(f);
    for (const s of pr.streams) console.log(f, s.codec_name, s.nb_read_frames, s.duration, packetSpan(pk, s.index, s.time_base), pk.filter(p=>p.stream_index===s.index).length);
  }
});
