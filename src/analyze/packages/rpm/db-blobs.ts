/** What each rpm database reader yields: the stored header blobs, keyed by package number. */
export interface DbBlobs {
  blobs: { id: number; blob: Buffer }[];
  problems: string[];
}
