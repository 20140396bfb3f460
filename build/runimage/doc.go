// Package runimage is the onbuild/run-image extension's generate step: it
// switches Go apps to the tiny run image, on a builder served from a
// registry, where pack lets extensions run.
package runimage
