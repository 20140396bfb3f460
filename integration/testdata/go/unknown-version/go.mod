module example.com/pinned

go 1.24.0

toolchain go1.24.99
