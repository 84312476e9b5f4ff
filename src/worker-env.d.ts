// The compiled config the Worker build bundles (see wrangler.toml [alias]).
declare module "modgate:compiled-config" {
  const compiled: import("./core/compiled.js").CompiledConfig;
  export default compiled;
}

// The one Workers type the entry needs, without pulling the Workers type
// library into the Node build.
interface ExportedHandler {
  fetch(request: Request, env: Record<string, unknown>, ctx: unknown): Response | Promise<Response>;
}
