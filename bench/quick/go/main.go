// A Go app that imports nothing, so only the runtime compiles: the bench's
// quick run (BENCH_QUICK=1) proves every scenario still runs, and measures
// nothing.
package main

func main() { println(greeting()) }
