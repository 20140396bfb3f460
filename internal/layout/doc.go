// Package layout holds no code, only the tests that keep the repo's shape
// as ARCHITECTURE.md describes it: the import rule, the README's settings
// table against every buildpack.toml, and the layer table against the
// layer specs the code creates its layers from.
package layout
