import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// Served by the admin port at `/` (same origin as the API): absolute asset paths, no dev proxy needed in builds.
export default defineConfig({
  plugins: [react()],
  base: "/",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 1024,
  },
  server: {
    // `npm run dev -w @keygate/dashboard` with KEYGATE_ADMIN_URL pointing at a running admin port.
    proxy: { "/v1": process.env.KEYGATE_ADMIN_URL ?? "http://127.0.0.1:7070" },
  },
});
