// Package golang is onbuild/go's build (go is a keyword): the toolchain
// go.mod asks for, cached module and build caches, static binaries in a
// launch layer with one process each, and the source removed from the
// image. build.go runs the steps in order; settings.go reads every
// setting; layers.go declares the layers.
package golang
