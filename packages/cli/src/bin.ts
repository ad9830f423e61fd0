/**
 * Entry point of the `beamflow` command. The exit code is set rather than
 * forced so that stdout (media with `-o -`) is flushed; a backstop exit covers
 * anything native that would keep the event loop alive after the work is done.
 */
import { main } from './main.js';

const code = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
process.exitCode = code;
setTimeout(() => process.exit(code), 2000).unref();
