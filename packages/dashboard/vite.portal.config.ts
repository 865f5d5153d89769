import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin } from "vite";

/**
 * The portal server answers `index.html` for every page path, while this
 * package's `index.html` is the operator dashboard's: the portal's entry is
 * `portal.html` and is written out as `index.html`.
 */
function portalIndexHtml(): Plugin {
  return {
    name: "keygate-portal-index-html",
    enforce: "post",
    apply: "build",
    generateBundle(_options, bundle) {
      const page = bundle["portal.html"];
      if (page === undefined || page.type !== "asset") return;
      delete bundle["portal.html"];
      this.emitFile({ type: "asset", fileName: "index.html", source: page.source });
    },
  };
}

/** `npm run dev:portal`: page paths get portal.html (history routing), the API goes to a running portal port. */
function devPortalPages(): Plugin {
  return {
    name: "keygate-portal-dev-pages",
    apply: "serve",
    configureServer(server) {
      server.middlewares.use((request, _response, next) => {
        const url = request.url ?? "/";
        const page = request.headers.accept?.includes("text/html") === true && !url.startsWith("/portal/v1");
        if (page) request.url = "/portal.html";
        next();
      });
    },
  };
}

// Served by the portal port at `/` (same origin as /portal/v1): absolute asset paths, strict CSP (no inline code).
// biome-ignore lint/style/noDefaultExport: Vite reads the config's default export.
export default defineConfig({
  plugins: [react(), portalIndexHtml(), devPortalPages()],
  base: "/",
  build: {
    outDir: "dist-portal",
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 1024,
    rolldownOptions: { input: "portal.html" },
  },
  server: {
    proxy: { "/portal/v1": process.env.KEYGATE_PORTAL_URL ?? "http://127.0.0.1:7071" },
  },
});
