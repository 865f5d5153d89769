import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { PortalApp } from "./portal-app.tsx";

const root = document.getElementById("root");
if (root === null) throw new Error("portal.html has no #root");
createRoot(root).render(
  <StrictMode>
    <PortalApp />
  </StrictMode>,
);
