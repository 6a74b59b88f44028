/**
 * Domain errors. A DataError means the file itself is at fault: it is quarantined and
 * never retried for the same ETag. An InfrastructureError means something around the
 * file failed: the file is marked failed and retried by redelivery or the sweep.
 */
export class IngestionError extends Error {
  /** Stable machine-readable code, stored in the ledger and quarantine reports. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'IngestionError';
    this.code = code;
  }
}

/** The file is bad: quarantine it and mark it rejected. */
export class DataError extends IngestionError {
  /** 1-based physical line in the source file where the problem was found, when known. */
  readonly line: number | undefined;

  constructor(code: string, message: string, options?: { line?: number; cause?: unknown }) {
    super(code, message, options);
    this.name = 'DataError';
    this.line = options?.line;
  }
}

/** The header does not match the contract (missing, unexpected, duplicated or misordered columns). */
export class HeaderMismatchError extends DataError {
  readonly missing: string[];
  readonly unexpected: string[];
  readonly duplicated: string[];
  readonly misordered: string[];

  constructor(details: {
    missing: string[];
    unexpected: string[];
    duplicated: string[];
    misordered: string[];
  }) {
    const parts: string[] = [];
    if (details.missing.length) parts.push(`missing: ${details.missing.join(', ')}`);
    if (details.unexpected.length) parts.push(`unexpected: ${details.unexpected.join(', ')}`);
    if (details.duplicated.length) parts.push(`duplicated: ${details.duplicated.join(', ')}`);
    if (details.misordered.length) parts.push(`misordered: ${details.misordered.join(', ')}`);
    super('HEADER_MISMATCH', `header does not match the contract (${parts.join('; ')})`, { line: 1 });
    this.name = 'HeaderMismatchError';
    this.missing = details.missing;
    this.unexpected = details.unexpected;
    this.duplicated = details.duplicated;
    this.misordered = details.misordered;
  }
}

/** Something around the file failed (network, throttling, permissions): retry later. */
export class InfrastructureError extends IngestionError {
  constructor(message: string, options?: { cause?: unknown; code?: string }) {
    super(options?.code ?? 'INFRASTRUCTURE', message, options);
    this.name = 'InfrastructureError';
  }
}

/** The object changed (new ETag) or vanished between claim and read: the newer version's event wins. */
export class ObjectChangedError extends IngestionError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('OBJECT_CHANGED', message, options);
    this.name = 'ObjectChangedError';
  }
}

/** A conditional ledger write lost: another run holds or finished the claim. */
export class ClaimLostError extends IngestionError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CLAIM_LOST', message, options);
    this.name = 'ClaimLostError';
  }
}

/** A dataset contract failed validation. */
export class ContractError extends IngestionError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CONTRACT_INVALID', message, options);
    this.name = 'ContractError';
  }
}
