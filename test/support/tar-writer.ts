// The tar writer lives in src/fixtures (the demo builds images too); tests import it from here.
export * from '../../src/fixtures/tar-writer.js';
