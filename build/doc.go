// Package build is source code, not build output: the build phase of each
// onbuild buildpack lives in a package below it (python, golang, vcs,
// certificates, runimage), each a set of layer contributors whose metadata
// structs are their cache keys. ARCHITECTURE.md maps every layer to its
// file.
package build
