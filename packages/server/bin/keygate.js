#!/usr/bin/env node
// keygate runs its TypeScript sources through tsx's loader: no build step
// between `npm ci` and `npx keygate`.
import { register } from "tsx/esm/api";

register();
await import("../src/cli/main.ts");
