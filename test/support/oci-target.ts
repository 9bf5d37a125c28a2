/** An image built from a spec, written as an OCI layout in a temp dir: its target string. */
import { buildImage, type ImageSpec } from '../fixtures/builder.js';
import { writeOciLayout } from '../fixtures/layouts.js';
import { tempDir } from './tmp.js';

export async function ociTarget(spec: ImageSpec): Promise<string> {
  const dir = tempDir();
  await writeOciLayout(dir, [{ ref: 'x', image: buildImage(spec) }]);
  return `oci:${dir}:x`;
}
