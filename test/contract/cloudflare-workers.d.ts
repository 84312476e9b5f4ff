// The one piece of the workerd module the contract test uses, typed here so
// the Node-side typecheck does not need the whole Workers type library.
declare module "cloudflare:workers" {
  export const exports: unknown;
  export const env: unknown;
}
