// Package certificates is onbuild/ca-certificates' build: the stack's CAs
// joined with those of the ca-certificates bindings, in a layer every later
// build step trusts and, with BP_EMBED_CERTS, the app too (through the
// execd program).
package certificates
