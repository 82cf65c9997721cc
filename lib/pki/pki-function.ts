import { createSecureFunction, egressSubnets, SecureFunctionOptions } from '../core/secure-function';

/** Options of the PKI's Lambda functions (handlers under `lib/pki/handlers/`). */
export type PkiFunctionOptions = SecureFunctionOptions;

/** The PKI's Lambda functions: the platform's hardened function (see createSecureFunction). */
export const createPkiFunction = createSecureFunction;

export { egressSubnets };
