export async function runHostTier() { throw new Error("host tier not written yet"); }
