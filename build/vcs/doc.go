// Package vcs is onbuild/vcs' build: git and hg from pinned Debian
// packages in build-only cached layers, installed only when a language
// buildpack requires them, and a build-only layer pointing git at the
// credential bindings.
package vcs
