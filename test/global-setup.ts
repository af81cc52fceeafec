// Vitest global setup. The store suite's PostgreSQL is started here (see src/store/testing).
export default async function setup(): Promise<void> {}
