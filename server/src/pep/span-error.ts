// The one error type of the PEP parsers: packaging's message and the span `[offset, end)` of the fault in the parsed
// text.
export class SpanError extends Error {
  readonly offset: number;
  readonly end: number;
  constructor(message: string, offset: number, end: number = offset) {
    super(message);
    // Each subclass names itself: a class's own name is shortened in the CLI's minified bundle.
    this.name = 'SpanError';
    this.offset = offset;
    this.end = end;
  }
}
