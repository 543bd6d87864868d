/** The one retry loop and the policies of the layers that retry (HTTP, engine, locks). */
export * from './retry-policy.js';
export * from './retry-loop.js';
