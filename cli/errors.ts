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
  '  3  AWS or infrastructure error (credentials, network, throttling, or a named stack, table,',
  '     bucket or queue that does not exist)',
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

/** A stack, table, bucket or queue the command was pointed at does not exist: exit 3, named. */
export class MissingResourceError extends InfrastructureError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, { ...options, code: 'MISSING_RESOURCE' });
    this.name = 'MissingResourceError';
  }
}

/** The resources a command was pointed at, to name the one AWS says does not exist. */
export interface NamedResources {
  readonly table?: string;
  readonly queueUrl?: string;
}

const MISSING_QUEUE = new Set(['QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue']);

/**
 * The error with the missing resource named ("ledger table X not found") when AWS answered
 * that one does not exist, or the error itself. DynamoDB's "Requested resource not found" and
 * SQS's "queue does not exist" name nothing, so the command's own settings fill in the name.
 */
export function nameMissingResource(error: unknown, resources: NamedResources): unknown {
  for (let e = error; e instanceof Error; e = e.cause) {
    if (e instanceof MissingResourceError) return error;
    const detail = `${e.name}: ${e.message}`;
    if (e.name === 'ResourceNotFoundException' && resources.table)
      return new MissingResourceError(`ledger table ${resources.table} not found (${detail})`, {
        cause: error,
      });
    if (e.name === 'NoSuchBucket') {
      const bucket = (e as { BucketName?: string }).BucketName;
      return new MissingResourceError(`bucket ${bucket ?? '(unnamed)'} not found (${detail})`, {
        cause: error,
      });
    }
    if (MISSING_QUEUE.has(e.name) && resources.queueUrl)
      return new MissingResourceError(`queue ${resources.queueUrl} not found (${detail})`, { cause: error });
    if (e.cause === e) break;
  }
  return error;
}
