/**
 * Every route an express router (or app) serves, found by walking its layer stack: nested routers
 * contribute under their mount path. Used to describe routes the channels mounted, and by the test
 * that checks the OpenAPI document against the server.
 */
export interface MountedRoute {
  method: string;
  path: string;
}

interface Layer {
  route?: { path: unknown; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
  rawPath?: unknown;
}

export function listRoutes(router: unknown, prefix = ''): MountedRoute[] {
  const out: MountedRoute[] = [];
  for (const layer of (router as { stack?: Layer[] } | undefined)?.stack ?? []) {
    if (layer.route) {
      if (typeof layer.route.path !== 'string') continue;
      for (const [method, on] of Object.entries(layer.route.methods)) {
        if (on && method !== '_all') out.push({ method, path: `${prefix}${layer.route.path}` });
      }
    } else if (layer.handle?.stack) {
      const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
      out.push(...listRoutes(layer.handle, `${prefix}${mount}`));
    }
  }
  return out;
}
