// The shape of the requirements corpus's committed oracle answers (test/fixtures/requirements-corpus/pip_oracle.py).

/** One requirement as pip's parser reports it. */
export interface OracleEntry {
  file: string;
  line: number;
  name: string;
  extras: string[];
  specifier: string;
  markerText: string;
  /** pip's str(Marker) (oracle only). */
  marker?: string;
  url: string | null;
  editable: boolean;
  constraint: boolean;
}

/** What pip made of one file: its entries, or the error it stopped with. */
export interface OracleVerdict {
  entries: OracleEntry[];
  error: { file: string; line: number; message: string } | null;
}
