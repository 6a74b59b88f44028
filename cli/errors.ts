/**
 * Exit codes and the CLI's own errors. Scripts branch on the code, so every command maps its
 * outcome onto the same four values.
 */
import { CommanderError } from 'commander';
import { ContractError, InfrastructureError } from '../lambdas/core/errors.js';

export const ExitCode = {
  /** Done, nothing needs attention. */
  Ok: 0,
  /** Bad arguments or configuration: nothing was changed. */
  Usage: 1,
  /** Done, and something found needs a person (bad rows, orphans, missing items). */
  Attention: 2,
  /** AWS or another piece of infrastructure failed; the command may be partly done. */
  Infrastructure: 3,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** The epilogue of `bronze --help`. */
export const EXIT_CODES_HELP = [
  'Exit codes:',
  '  0  ok',
  '  1  usage or configuration error (bad arguments, missing settings, unknown dataset, invalid contract)',
  '  2  done, and something needs attention (validate found bad rows or a rejection, reconcile found',
  '     orphans or items to restore, reprocess or show found no ledger item)',
  '  3  AWS or infrastructure error (credentials, network, throttling, a missing table or bucket)',
].join('\n');

/** A mistake in how the command was called or configured. */
export class UsageError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UsageError';
  }
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EAI_AGAIN', 'EPIPE']);
const CREDENTIAL_ERRORS = new Set(['CredentialsProviderError', 'ExpiredTokenException', 'TimeoutError']);

/** Whether an error came from AWS or the network rather than from the caller. */
export function isInfrastructureError(error: unknown): boolean {
  if (error instanceof InfrastructureError) return true;
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { $metadata?: unknown; name?: string; code?: string; cause?: unknown };
  if (e.$metadata !== undefined || CREDENTIAL_ERRORS.has(e.name ?? '') || NETWORK_CODES.has(e.code ?? ''))
    return true;
  return e.cause !== undefined && e.cause !== error && isInfrastructureError(e.cause);
}

/** The exit code an error ends the command with. */
export function exitCodeFor(error: unknown): ExitCode {
  if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
  if (error instanceof UsageError || error instanceof ContractError) return ExitCode.Usage;
  // AWS and network failures, and anything unforeseen: either way the command may be partly done.
  return ExitCode.Infrastructure;
}
