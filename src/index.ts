// Public entry point of @spec-kitty/plugin-tracker (package.json "exports" ".").
// Placeholder: the plugin's programmatic API will be re-exported from here.
export {};
