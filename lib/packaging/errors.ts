/** Anything wrong with a charm project or the packing environment; the message names the file and key. */
export class PackagingError extends Error {
  override readonly name = 'PackagingError';
}
