/**
 * A real Debian root filesystem (debootstrap minbase bookworm), packed as an image: the engine
 * must see exactly what GNU tar wrote and what is on disk. Set SHIPSHAPE_SKIP_DEBIAN=1 to skip
 * on a machine without Debian's mirror (CI never sets it).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { defaultAnalyzers } from '../src/analyze/index.js';
import { openSource } from '../src/image/target.js';
import { analyzeImage } from '../src/scan/analyze-image.js';
import { runCli } from './support/cli.js';
import { debianOciLayout, debianRootfs } from './support/debian-rootfs.js';
import { tempDir } from './support/tmp.js';

const skip = process.env.SHIPSHAPE_SKIP_DEBIAN === '1';

test(
  'debian: inspect and a full engine pass over the debootstrap image',
  { skip, timeout: 600_000 },
  async () => {
    const layout = await debianOciLayout();
    const root = await debianRootfs();
    const dir = tempDir();
    const r = await runCli(['inspect', '--format', 'json', `oci:${layout}:bookworm`], {
      SHIPSHAPE_DB: join(dir, 'db.sqlite'),
    });
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.target.os.family, 'debian');
    assert.equal(j.target.os.version, '12');
    assert.match(j.target.os.name, /bookworm/);
    assert.equal(j.layers.length, 1);
    assert.match(j.layers[0].createdBy, /debootstrap/);

    const analyzed = await analyzeImage(openSource(`oci:${layout}:bookworm`), {
      analyzers: defaultAnalyzers(),
      cache: null,
    });
    const blob = join(layout, 'blobs', 'sha256', analyzed.image.layers[0]!.digest!.slice(7));
    // GNU tar's own listing of the same blob: every entry, same names, same kinds.
    const listed = execFileSync('tar', ['-tzvf', blob], { maxBuffer: 64 * 1024 * 1024 })
      .toString()
      .trim()
      .split('\n');
    const layer = analyzed.facts.layers[0]!;
    // GNU tar lists './' for the root: counted as an entry, not recorded as a file.
    assert.equal(layer.entries, listed.length);
    assert.equal(layer.files.length, listed.length - 1);
    const tarNames = execFileSync('tar', ['-tzf', blob], { maxBuffer: 64 * 1024 * 1024 })
      .toString()
      .trim()
      .split('\n')
      .map((n) => n.replace(/^\.\//, '').replace(/\/$/, ''))
      .filter(Boolean)
      .sort();
    assert.deepEqual([...analyzed.facts.tree.keys()].sort(), tarNames);
    const kinds = (c: string) => listed.filter((l) => l.startsWith(c)).length;
    const count = (t: string) => layer.files.filter((f) => f.type === t).length;
    assert.equal(count('symlink'), kinds('l'));
    assert.equal(count('hardlink'), kinds('h'));
    assert.equal(count('dir'), kinds('d') - 1);
    // setuid binaries keep their mode bits.
    assert.equal((analyzed.facts.tree.get('usr/bin/passwd')?.mode ?? 0) & 0o4000, 0o4000);

    // The same tree read from disk as `dir:` (device nodes under dev/ are the only difference).
    const onDisk = await analyzeImage(openSource(`dir:${root}`), {
      analyzers: defaultAnalyzers(),
      cache: null,
    });
    const diskNames = [...onDisk.facts.tree.keys()].filter((p) => !p.startsWith('dev/')).sort();
    assert.deepEqual(
      diskNames,
      tarNames.filter((p) => !p.startsWith('dev/')),
    );
    assert.deepEqual(onDisk.os, analyzed.os);
  },
);
