// Builds the native addon during `npm install`. It must never make the install fail:
// without the addon wiregrad runs on its pure-TypeScript backend.
console.error('wiregrad: native addon not built yet; using the TypeScript backend');
