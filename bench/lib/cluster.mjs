export async function stopCluster() {}
