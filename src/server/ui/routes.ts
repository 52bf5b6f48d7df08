export function registerUiRoutes(..._a: unknown[]): void {}
