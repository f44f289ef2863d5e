import { describeStoreContract } from "./contract.ts";
import { memoryHarness } from "./harnesses.ts";

describeStoreContract("MemoryStore", memoryHarness());
