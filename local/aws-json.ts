/**
 * Calls to emulator APIs the project has no SDK client for (EventBridge, Lambda). Emulators route
 * a request by the service named in the credential scope and do not check signatures, so a
 * well-formed header with a dummy signature is enough; none of this is meant for real AWS.
 */
import { LOCAL_REGION } from './aws-config.js';

function authorization(service: string): string {
  const scope = `testing/20240101/${LOCAL_REGION}/${service}/aws4_request`;
  return `AWS4-HMAC-SHA256 Credential=${scope}, SignedHeaders=host, Signature=0`;
}

async function parse<T>(response: Response, what: string): Promise<T> {
  const text = await response.text();
  if (!response.ok) throw new Error(`${what} failed: HTTP ${response.status} ${text.slice(0, 300)}`);
  return (text ? JSON.parse(text) : {}) as T;
}

/** A JSON 1.1 protocol call, for example `AWSEvents.RemoveTargets`. */
export async function jsonCall<T>(
  endpoint: string,
  service: string,
  target: string,
  body: unknown,
): Promise<T> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      authorization: authorization(service),
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': target,
    },
    body: JSON.stringify(body),
  });
  return parse<T>(response, target);
}

/** A REST-JSON call, for example GET Lambda's `/2015-03-31/functions/{name}/configuration`. */
export async function restCall<T>(
  endpoint: string,
  service: string,
  path: string,
  options: { method?: 'GET' | 'PUT'; body?: unknown } = {},
): Promise<T> {
  const method = options.method ?? 'GET';
  const response = await fetch(`${endpoint}${path}`, {
    method,
    headers: { authorization: authorization(service), 'content-type': 'application/json' },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  return parse<T>(response, `${method} ${path}`);
}
