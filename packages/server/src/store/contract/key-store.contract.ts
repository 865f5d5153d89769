import type { KeyStore, OperatorStore, PortalStore, RetentionStore } from "@keygate/core";
import { afterEach, beforeEach, describe } from "vitest";
import { auditContract } from "./audit.contract.ts";
import { commitContract } from "./commit.contract.ts";
import { operatorContract } from "./operator.contract.ts";
import { outboxContract } from "./outbox.contract.ts";
import { portalContract } from "./portal.contract.ts";
import { readsContract } from "./reads.contract.ts";

export interface KeyStoreContractOptions {
  /** Names the suite: `KeyStore contract: <name>`. */
  readonly name: string;
  /** A migrated, EMPTY store. Called before every test. */
  readonly create: () => Promise<ContractStore>;
  /** Undoes `create` after every test. Default: `store.close()`. */
  readonly cleanup?: (store: ContractStore) => Promise<void>;
  /**
   * A second store on the same data through its own connection or pool, as
   * another process or node would open it; the test closes it. Omit when the
   * backend has no shared data (memory): those tests are skipped.
   */
  readonly openPeer?: () => Promise<ContractStore>;
}

/** Every backend serves the portal's and operator access's reads beside the key store's. */
type ContractStore = KeyStore & PortalStore & OperatorStore & RetentionStore;

/** What each section of the contract sees. */
export interface ContractContext {
  /** The store of the running test. */
  store(): ContractStore;
  readonly openPeer: (() => Promise<ContractStore>) | undefined;
}

/**
 * The specification of `KeyStore`, written once and run against every
 * backend: a backend is supported only when this passes.
 */
export function runKeyStoreContract(options: KeyStoreContractOptions): void {
  describe(`KeyStore contract: ${options.name}`, () => {
    let current: ContractStore | undefined;
    beforeEach(async () => {
      current = await options.create();
    });
    afterEach(async () => {
      const store = current;
      current = undefined;
      if (store) await (options.cleanup ? options.cleanup(store) : store.close());
    });
    const ctx: ContractContext = {
      store() {
        if (!current) throw new Error("no store: create() has not run");
        return current;
      },
      openPeer: options.openPeer,
    };
    commitContract(ctx);
    auditContract(ctx);
    readsContract(ctx);
    outboxContract(ctx);
    portalContract(ctx);
    operatorContract(ctx);
  });
}
