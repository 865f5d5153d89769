import { createContext } from "react";

/** The product name after each page title in the tab (`Keys · Acme API`): the portal carries the provider's. */
export const SiteTitleContext = createContext("keygate");
