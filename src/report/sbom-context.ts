import type { DetectedOs } from '../analyze/os/detect.js';
import type { ResolvedImage } from '../image/types.js';
import type { Package } from '../inventory/types.js';

/** What every SBOM writer needs: the image, its OS, its packages, and when it was made. */
export interface SbomInput {
  image: ResolvedImage;
  os: DetectedOs | null;
  packages: Package[];
  /** ISO timestamp of the document; passed in so tests can fix it. */
  created: string;
  toolVersion: string;
}

/** The name an SBOM gives the image: its reference, else the input as given. */
export function imageName(image: ResolvedImage): string {
  return image.ref ?? image.input;
}
