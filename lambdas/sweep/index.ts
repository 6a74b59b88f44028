// Replaced by the sweep: the entry point the stack bundles.
export const handler = async (): Promise<void> => {};
