// npm tiktoken's encodings on a file, line by line (each line without its "\n"), for
// tokenizer_peer_test.py and bench/tokenize_bench.sh to compare embtool with:
//
//   node tiktoken_lines.js TIKTOKEN_PACKAGE_DIR ENCODING FILE            one line of ids a line
//   node tiktoken_lines.js TIKTOKEN_PACKAGE_DIR ENCODING FILE --bench N  the best of N timed runs
//
// --bench times only the encode loop (one encode call per line, one process) and prints
// "name value" lines as bench/tokenize_bench.cpp does (CPU time: the process's, user and
// system), with the same checksum of the ids.
'use strict';
const fs = require('fs');

const [dir, encodingName, file, mode, repeatText] = process.argv.slice(2);
const { get_encoding } = require(require('path').resolve(dir));
const encoding = get_encoding(encodingName);
const text = fs.readFileSync(file, 'utf8');
const lines = text.split('\n');
if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();

function fnv1a(hash, word) { return Math.imul(hash ^ word, 16777619) >>> 0; }

if (mode === '--bench') {
  const repeat = Math.max(1, Number(repeatText) || 5);
  const bytes = lines.reduce((sum, line) => sum + Buffer.byteLength(line, 'utf8'), 0);
  let best = null;
  let bestCpu = Infinity;
  for (let run = 0; run < repeat; ++run) {
    const all = new Array(lines.length);
    const start = process.hrtime.bigint();
    const cpuStart = process.cpuUsage();
    for (let i = 0; i < lines.length; ++i) all[i] = encoding.encode(lines[i]);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const cpu = process.cpuUsage(cpuStart);
    bestCpu = Math.min(bestCpu, (cpu.user + cpu.system) / 1e6);
    if (best === null || seconds < best.seconds) best = { seconds, all };
  }
  let tokens = 0;
  let checksum = 2166136261;
  for (const ids of best.all) {
    tokens += ids.length;
    for (const id of ids) checksum = fnv1a(checksum, id);
    checksum = fnv1a(checksum, 0xffffffff);
  }
  process.stdout.write(`bytes ${bytes}\nlines ${lines.length}\ntokens ${tokens}\nseconds ${best.seconds.toFixed(3)}\n` +
                       `MB/s ${(bytes / best.seconds / 1e6).toFixed(2)}\ncpu_seconds ${bestCpu.toFixed(3)}\n` +
                       `MB/cpu_s ${(bytes / bestCpu / 1e6).toFixed(2)}\nchecksum ${checksum.toString(16).padStart(8, '0')}\n`);
} else {
  const out = [];
  for (const line of lines) out.push(Array.from(encoding.encode(line)).join(' '));
  process.stdout.write(out.length ? out.join('\n') + '\n' : '');
}
encoding.free();
